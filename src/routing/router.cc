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

bool listed(std::span<const std::string> names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

Error unknown_model(std::string_view id, std::string param) {
  auto slash = id.find('/');
  Error error =
      slash != std::string_view::npos && slash + 1 < id.size()
          ? make_error(ErrorKind::not_found,
                       fmt::format("model '{}' not found: it is not configured and no provider is named '{}'", id,
                                   id.substr(0, slash)),
                       std::move(param))
          : make_error(ErrorKind::not_found,
                       fmt::format("model '{}' not found: use a configured model id, an alias, 'provider/model' or "
                                   "a name of a known family (claude-..., gpt-..., gemini-...)",
                                   id),
                       std::move(param));
  error.subject = id;
  return error;
}

// Builds a plan model by model; remembers why routes were left out.
class Planner {
 public:
  Planner(const Config& config, const RouteRequest& request, const RouteSignals& signals)
      : config_(config), request_(request), signals_(signals) {}

  // Adds a model id's routes (and its fallbacks'); false when the id means nothing.
  bool add_model(std::string_view id) {
    if (std::find(visited_.begin(), visited_.end(), id) != visited_.end()) return true;
    visited_.push_back(id);
    std::size_t first = plan.candidates.size();
    if (auto model = config_.models.find(id); model != config_.models.end()) {
      const bool timed = model->second.strategy == Strategy::lowest_latency;
      // The request's sort orders this model's routes only: its fallbacks follow in their
      // configured order, each with its own routes sorted the same way.
      for (const RouteConfig* route : order_routes(model->second, signals_, request_.sort))
        add(config_.providers.find(route->provider)->second, route->model, id, timed);
      prefer_providers(first);
      for (const auto& fallback : model->second.fallbacks) add_model(fallback);
      return true;
    }
    auto slash = id.find('/');
    if (slash != std::string_view::npos && slash + 1 < id.size())
      if (auto provider = config_.providers.find(id.substr(0, slash)); provider != config_.providers.end()) {
        add(provider->second, id.substr(slash + 1), id, false);
        return true;
      }
    return add_family(id, first);
  }

  // A bare name of a known family (claude-sonnet-5): the family's providers, each asked for that
  // name; false when no family has it or none of its providers exists.
  bool add_family(std::string_view id, std::size_t first) {
    auto members = config_.family_providers(id);
    for (const ProviderConfig* provider : members) add(*provider, id, id, false);
    prefer_providers(first);
    return !members.empty();
  }

  std::string why_empty() const {
    std::string reasons;
    for (const auto& d : left_out_) reasons += (reasons.empty() ? "" : "; ") + d;
    return reasons;
  }

  RoutePlan plan;

 private:
  void add(const ProviderConfig& provider, std::string_view upstream_model, std::string_view model_id, bool timed) {
    if (!request_.only.empty() && !listed(request_.only, provider.name))
      left_out_.push_back(fmt::format("provider '{}' is not in the request's `only` list", provider.name));
    else if (!provider.enabled())
      left_out_.push_back(fmt::format("provider '{}' is disabled: {}", provider.name, provider.disabled_reason));
    else
      plan.candidates.push_back(Candidate{&provider, std::string(upstream_model), std::string(model_id), timed});
  }

  // The request's `order`: its providers first among this model's routes, in the order given.
  void prefer_providers(std::size_t first) {
    if (request_.order.empty()) return;
    auto rank = [&](const Candidate& c) {
      auto it = std::find(request_.order.begin(), request_.order.end(), c.provider->name);
      return static_cast<std::size_t>(it - request_.order.begin());
    };
    std::stable_sort(plan.candidates.begin() + static_cast<std::ptrdiff_t>(first), plan.candidates.end(),
                     [&](const Candidate& x, const Candidate& y) { return rank(x) < rank(y); });
  }

  const Config& config_;
  const RouteRequest& request_;
  const RouteSignals& signals_;
  // Fallbacks may point back at a model already planned. Kept inline: most plans have one model.
  boost::container::small_vector<std::string_view, 4> visited_;
  std::vector<std::string> left_out_;
};

}  // namespace

double uniform_draw() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0, 1)(rng);
}

std::variant<RoutePlan, Error> plan_route(const Config& config, const RouteRequest& request,
                                          const RouteSignals& signals) {
  Planner planner(config, request, signals);
  planner.plan.model_id = request.model;
  std::string_view id = resolve_alias(config, request.model, signals.draw());
  if (!planner.add_model(id)) return unknown_model(id, "model");
  for (const auto& extra : request.models)
    if (!planner.add_model(resolve_alias(config, extra, signals.draw()))) return unknown_model(extra, "models");
  if (planner.plan.candidates.empty())
    return make_error(ErrorKind::unavailable,
                      fmt::format("model '{}' has no usable route: {}", request.model, planner.why_empty()));
  return std::move(planner.plan);
}

}  // namespace switchyard
