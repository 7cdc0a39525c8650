#pragma once
// The order in which one model's routes are tried, per its strategy.
#include <boost/container/small_vector.hpp>
#include <functional>

#include "core/config.h"
#include "routing/latency_tracker.h"

namespace switchyard {

// What a routing decision may draw on besides the config: random draws in [0, 1) and the observed
// latencies. Injected, so tests choose both.
struct RouteSignals {
  std::function<double()> draw;
  const LatencyTracker& latency;
};

using RouteOrder = boost::container::small_vector<const RouteConfig*, 4>;

// ordered: as configured. weighted: a weighted draw without replacement, so when the drawn route
// fails (or its circuit is open) its share goes to the others by their weights. lowest-latency:
// power of two choices on the time-to-first-byte average (a route never measured wins, so each
// gets tried), the rest by average. lowest-cost: as sort by cost. sort: by the model's `sort`:
//   cost  cheapest first by input + output list price per 1M tokens, routes without a price last;
//   ttft  lowest time-to-first-token average first;
//   tps   highest output-tokens-per-second average first;
// for ttft and tps the routes never measured come first (so each gets measured). Ties keep the
// configured order. `sort` (the request's providerOptions.gateway.sort), when set, orders the
// routes so whatever the model's strategy.
RouteOrder order_routes(const ModelConfig& model, const RouteSignals& signals,
                        std::optional<SortBy> sort = std::nullopt);

// A route's list price: its own, else its model's.
const std::optional<Price>& route_price(const ModelConfig& model, const RouteConfig& route);

}  // namespace switchyard
