#pragma once
// The authenticate phase: a gateway key (Authorization: Bearer, or x-api-key) -> its team.
#include <string>
#include <variant>

#include "core/config.h"
#include "core/error.h"
#include "server/asio.h"

namespace switchyard {

struct ClientIdentity {
  std::string team;    // "default" when the gateway runs without keys
  std::string key_id;  // empty when the gateway runs without keys
  bool admin = false;  // presented `admin_key`: sees every team's records
};

// With no keys configured every request is let in. Keys are compared by digest, in constant time.
std::variant<ClientIdentity, Error> authenticate(const Config& config, const http::request_header<>& header);

}  // namespace switchyard
