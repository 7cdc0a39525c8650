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
  std::string model_id;  // the model id this route serves (a fallback's own id)
};

struct RoutePlan {
  std::string model_id;  // the id the client asked for
  std::vector<Candidate> candidates;
};

// An alias becomes its model id (a canary alias picks one by percent, `draw` in [0, 1) choosing);
// a configured model id gives its routes in order, then its fallbacks' routes; any other
// "provider/model" goes straight to that provider. Unknown ids are not_found; ids whose every
// provider is disabled are unavailable.
std::variant<RoutePlan, Error> plan_route(const Config& config, std::string_view model_id, double draw);

// A uniform draw in [0, 1) from this thread's generator.
double uniform_draw();

}  // namespace switchyard
