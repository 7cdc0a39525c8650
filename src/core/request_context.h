#pragma once
// Everything the phases of one request share: ids, client identity, the attempts made, timings.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/error.h"
#include "pipeline/auth.h"

namespace switchyard {

struct Attempt {
  std::string provider;
  std::string upstream_model;
  int status = 0;  // the upstream's HTTP status, 0 when none came
  std::optional<Error> error;
  std::chrono::steady_clock::time_point start, end;
};

struct RequestContext {
  std::string id;  // gen_<ULID>, also x-switchyard-request-id
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  std::shared_ptr<const Config> config;
  ClientIdentity client;
  std::vector<Attempt> attempts;
};

}  // namespace switchyard
