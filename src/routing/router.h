#pragma once
// The route phase: a model id from the client becomes an ordered plan of upstream attempts.
#include <string>
#include <variant>
#include <vector>

#include "core/config.h"
#include "core/error.h"

namespace switchyard {

struct Candidate {
  const ProviderConfig* provider = nullptr;
  std::string upstream_model;
};

struct RoutePlan {
  std::string model_id;  // the id the client asked for
  std::vector<Candidate> candidates;
};

// A configured model id gives its routes in order; otherwise "provider/model" goes straight to
// that provider. Unknown ids are not_found; ids whose every provider is disabled are unavailable.
std::variant<RoutePlan, Error> plan_route(const Config& config, std::string_view model_id);

}  // namespace switchyard
