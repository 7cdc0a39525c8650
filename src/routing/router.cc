#include "routing/router.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/container/small_vector.hpp>
#include <random>

namespace switchyard {
namespace {

std::string_view resolve_alias(const Config& config, std::string_view id, double draw) {
  auto alias = config.aliases.find(id);
  if (alias == config.aliases.end()) return id;
  double point = draw * 100, cumulative = 0;
  for (const auto& target : alias->second) {
    cumulative += target.percent;
    if (point < cumulative) return target.model_id;
  }
  return alias->second.back().model_id;
}

}  // namespace

double uniform_draw() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0, 1)(rng);
}

std::variant<RoutePlan, Error> plan_route(const Config& config, std::string_view requested, double draw) {
  RoutePlan plan;
  plan.model_id = requested;
  std::vector<std::string> disabled;
  auto add = [&](const ProviderConfig& provider, std::string_view upstream_model, std::string_view model_id) {
    if (provider.enabled())
      plan.candidates.push_back(Candidate{&provider, std::string(upstream_model), std::string(model_id)});
    else
      disabled.push_back(fmt::format("provider '{}' is disabled: {}", provider.name, provider.disabled_reason));
  };
  // Fallbacks may point back at a model already planned. Kept inline: most plans have one model.
  boost::container::small_vector<std::string_view, 4> visited;
  // Adds a model id's routes (and its fallbacks'); false when the id means nothing.
  auto add_model = [&](auto& self, std::string_view id) -> bool {
    if (std::find(visited.begin(), visited.end(), id) != visited.end()) return true;
    visited.push_back(id);
    if (auto model = config.models.find(id); model != config.models.end()) {
      for (const auto& route : model->second.routes) add(config.providers.find(route.provider)->second, route.model, id);
      for (const auto& fallback : model->second.fallbacks) self(self, fallback);
      return true;
    }
    auto slash = id.find('/');
    if (slash == std::string_view::npos || slash + 1 == id.size()) return false;
    auto provider = config.providers.find(id.substr(0, slash));
    if (provider == config.providers.end()) return false;
    add(provider->second, id.substr(slash + 1), id);
    return true;
  };

  std::string_view id = resolve_alias(config, requested, draw);
  if (!add_model(add_model, id)) {
    auto slash = id.find('/');
    if (slash != std::string_view::npos && slash + 1 < id.size())
      return make_error(ErrorKind::not_found,
                        fmt::format("model '{}' not found: it is not configured and no provider is named '{}'", id,
                                    id.substr(0, slash)),
                        "model");
    return make_error(ErrorKind::not_found,
                      fmt::format("model '{}' not found: use a configured model id, an alias or 'provider/model'", id),
                      "model");
  }
  if (plan.candidates.empty()) {
    std::string reasons;
    for (const auto& d : disabled) reasons += (reasons.empty() ? "" : "; ") + d;
    return make_error(ErrorKind::unavailable, fmt::format("model '{}' has no usable route: {}", requested, reasons));
  }
  return plan;
}

}  // namespace switchyard
