#pragma once
// The route phase: a model id from the client becomes an ordered plan of upstream attempts.
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "core/config.h"
#include "core/error.h"
#include "routing/strategy.h"

namespace switchyard {

struct Candidate {
  const ProviderConfig* provider = nullptr;
  std::string upstream_model;
  std::string model_id;        // the model id this route serves (a fallback's own id)
  bool track_latency = false;  // its model routes by lowest latency: time its first byte
};

struct RoutePlan {
  std::string model_id;  // the id the client asked for
  std::vector<Candidate> candidates;
};

// What the request itself says about routing (top-level `models`, `providerOptions.gateway`).
struct RouteRequest {
  std::string_view model;               // after the routing rules
  std::span<const std::string> models;  // more model ids to try, in order, after `model`'s
  std::span<const std::string> order;   // providers to try first, in this order
  std::span<const std::string> only;    // when non-empty: no other provider is used
  std::optional<SortBy> sort;           // orders each configured model's routes, whatever its strategy
};

// An alias becomes its model id (a canary alias picks one by percent with a draw); a configured
// model id gives its routes in its strategy's order (or by the request's `sort`), then its
// fallbacks'; any other "provider/model" goes straight to that provider; then the request's own
// `models` the same way.
// Unknown ids are not_found; ids whose every provider is disabled (or not allowed) are unavailable.
std::variant<RoutePlan, Error> plan_route(const Config& config, const RouteRequest& request,
                                          const RouteSignals& signals);

// A uniform draw in [0, 1) from this thread's generator.
double uniform_draw();

}  // namespace switchyard
