#include "routing/strategy.h"

#include <algorithm>
#include <limits>

namespace switchyard {
namespace {

RouteOrder weighted(RouteOrder routes, const RouteSignals& signals) {
  RouteOrder out;
  while (!routes.empty()) {
    double total = 0;
    for (const auto* route : routes) total += route->weight;
    std::size_t pick = 0;
    if (total > 0) {
      double point = signals.draw() * total;
      for (double cumulative = 0; pick + 1 < routes.size(); ++pick) {
        cumulative += routes[pick]->weight;
        if (point < cumulative) break;
      }
    }
    out.push_back(routes[pick]);
    routes.erase(routes.begin() + static_cast<std::ptrdiff_t>(pick));
  }
  return out;
}

RouteOrder lowest_latency(RouteOrder routes, const RouteSignals& signals) {
  auto average = [&](const RouteConfig* route) {
    return signals.latency.average(route->provider, route->model).value_or(0.0);
  };
  boost::container::small_vector<double, 4> averages;
  for (const auto* route : routes) averages.push_back(average(route));
  std::size_t n = routes.size();
  std::size_t winner = 0;
  if (n >= 2) {
    std::size_t a = std::min(static_cast<std::size_t>(signals.draw() * n), n - 1);
    std::size_t b = std::min(static_cast<std::size_t>(signals.draw() * (n - 1)), n - 2);
    if (b >= a) ++b;  // two distinct routes
    winner = averages[b] < averages[a] ? b : a;
  }
  boost::container::small_vector<std::size_t, 4> rest;
  for (std::size_t i = 0; i < n; ++i)
    if (i != winner) rest.push_back(i);
  std::stable_sort(rest.begin(), rest.end(), [&](std::size_t x, std::size_t y) { return averages[x] < averages[y]; });
  RouteOrder out{routes[winner]};
  for (auto i : rest) out.push_back(routes[i]);
  return out;
}

// Stable: routes with equal keys keep their order.
RouteOrder sorted(const ModelConfig& model, RouteOrder routes, SortBy by, const RouteSignals& signals) {
  constexpr double kFirst = -std::numeric_limits<double>::infinity();
  // Ascending keys; each read once (the tracker takes a lock per read).
  auto key = [&](const RouteConfig* route) {
    switch (by) {
      case SortBy::cost: {
        const auto& price = route_price(model, *route);
        return price ? price->input_per_mtok + price->output_per_mtok : std::numeric_limits<double>::infinity();
      }
      case SortBy::ttft: return signals.latency.ttft(route->provider, route->model).value_or(kFirst);
      case SortBy::tps:
        if (auto tps = signals.latency.tps(route->provider, route->model)) return -*tps;
        return kFirst;
    }
    return 0.0;
  };
  boost::container::small_vector<std::pair<double, const RouteConfig*>, 4> keyed;
  for (const auto* route : routes) keyed.emplace_back(key(route), route);
  std::stable_sort(keyed.begin(), keyed.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  for (std::size_t i = 0; i < keyed.size(); ++i) routes[i] = keyed[i].second;
  return routes;
}

}  // namespace

const std::optional<Price>& route_price(const ModelConfig& model, const RouteConfig& route) {
  return route.price ? route.price : model.price;
}

RouteOrder order_routes(const ModelConfig& model, const RouteSignals& signals, std::optional<SortBy> sort) {
  RouteOrder routes;
  for (const auto& route : model.routes) routes.push_back(&route);
  if (routes.size() < 2) return routes;
  if (sort) return sorted(model, std::move(routes), *sort, signals);
  switch (model.strategy) {
    case Strategy::ordered: return routes;
    case Strategy::weighted: return weighted(std::move(routes), signals);
    case Strategy::lowest_latency: return lowest_latency(std::move(routes), signals);
    case Strategy::lowest_cost: return sorted(model, std::move(routes), SortBy::cost, signals);
    case Strategy::sort: return sorted(model, std::move(routes), model.sort_by, signals);
  }
  return routes;
}

}  // namespace switchyard
