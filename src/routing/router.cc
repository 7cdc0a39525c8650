#include "routing/router.h"

#include <fmt/format.h>

namespace switchyard {

std::variant<RoutePlan, Error> plan_route(const Config& config, std::string_view model_id) {
  RoutePlan plan;
  plan.model_id = model_id;
  std::vector<std::string> disabled;
  auto add = [&](const ProviderConfig& provider, std::string_view upstream_model) {
    if (provider.enabled())
      plan.candidates.push_back(Candidate{&provider, std::string(upstream_model)});
    else
      disabled.push_back(fmt::format("provider '{}' is disabled: {}", provider.name, provider.disabled_reason));
  };

  if (auto model = config.models.find(model_id); model != config.models.end()) {
    for (const auto& route : model->second.routes) add(config.providers.find(route.provider)->second, route.model);
  } else if (auto slash = model_id.find('/'); slash != std::string_view::npos && slash + 1 < model_id.size()) {
    auto provider = config.providers.find(model_id.substr(0, slash));
    if (provider == config.providers.end())
      return make_error(ErrorKind::not_found,
                        fmt::format("model '{}' not found: it is not configured and no provider is named '{}'",
                                    model_id, model_id.substr(0, slash)),
                        "model");
    add(provider->second, model_id.substr(slash + 1));
  } else {
    return make_error(ErrorKind::not_found,
                      fmt::format("model '{}' not found: use a configured model id or 'provider/model'", model_id),
                      "model");
  }

  if (plan.candidates.empty()) {
    std::string reasons;
    for (const auto& d : disabled) reasons += (reasons.empty() ? "" : "; ") + d;
    return make_error(ErrorKind::unavailable, fmt::format("model '{}' has no usable route: {}", model_id, reasons));
  }
  return plan;
}

}  // namespace switchyard
