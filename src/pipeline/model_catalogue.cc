#include "pipeline/model_catalogue.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>

#include "core/calendar.h"
#include "core/model_specs.h"
#include "core/prices.h"
#include "routing/strategy.h"
#include "translate/json_parse.h"

namespace switchyard {
namespace json = boost::json;
namespace {

// Whether some route of `model` is on a provider the gateway can use.
bool servable(const Config& config, const ModelConfig& model) {
  for (const auto& route : model.routes)
    if (auto provider = config.providers.find(route.provider);
        provider != config.providers.end() && provider->second.enabled())
      return true;
  return false;
}

// The first enabled provider a bare name of a known family goes to, or nullptr.
const ProviderConfig* family_provider(const Config& config, std::string_view name) {
  for (const ProviderConfig* provider : config.family_providers(name))
    if (provider->enabled()) return provider;
  return nullptr;
}

// USD per 1M tokens as the AI Gateway writes prices: USD per token, a plain decimal string.
json::value per_token(std::optional<double> per_mtok) {
  if (!per_mtok) return nullptr;
  std::string text = fmt::format("{:.15f}", *per_mtok / 1e6);
  text.erase(text.find_last_not_of('0') + 1);
  if (text.back() == '.') text.pop_back();
  return json::value(text);
}

// The list price of `model`'s first route (its own, the model's, else the price table's).
std::optional<Price> first_route_price(const Config& config, const ModelConfig& model) {
  const RouteConfig& route = model.routes.front();
  if (const auto& price = route_price(model, route)) return price;
  return config.prices ? config.prices->find(route.provider, route.model, today()) : std::nullopt;
}

// What the catalogue knows of the model `model`'s first route serves (data/model_catalogue.yaml).
std::optional<ModelSpec> spec_of(const ModelConfig& model) {
  return ModelSpecs::builtin().find(model.routes.front().model);
}

// An embedding model: so the catalogue says, or its upstream names do.
bool embeds(const ModelConfig& model) {
  if (auto spec = spec_of(model)) return spec->embeddings;
  for (const auto& route : model.routes)
    if (route.model.find("embed") != std::string::npos) return true;
  return false;
}

// An entry of OpenAI's list: the model's owner (its first route's provider), routes, list price
// (USD per 1M tokens), and what the catalogue knows of it; an alias names its model instead.
json::object openai_entry(const Config& config, std::string_view id, int64_t created, const ModelConfig* model,
                          std::string_view alias_of) {
  json::object entry{{"id", id}, {"object", "model"}, {"created", created}};
  if (!model) {
    entry["owned_by"] = "switchyard";
    entry["alias_of"] = alias_of;
    return entry;
  }
  entry["owned_by"] = model->routes.front().provider;
  json::array routes;
  for (const auto& route : model->routes) routes.push_back(json::value(route.provider + "/" + route.model));
  entry["routes"] = std::move(routes);
  if (auto price = first_route_price(config, *model))
    entry["pricing"] = json::object{{"input", price->input_per_mtok}, {"output", price->output_per_mtok}};
  if (auto spec = spec_of(*model)) {
    entry["context_window"] = spec->context_window;
    entry["max_output_tokens"] = spec->max_output_tokens;
    entry["capabilities"] = json::object{{"tools", spec->tools},
                                         {"vision", spec->vision},
                                         {"reasoning", spec->reasoning},
                                         {"prompt_caching", spec->prompt_caching},
                                         {"embeddings", spec->embeddings}};
  }
  return entry;
}

json::object ai_gateway_entry(const Config& config, std::string_view id, const ModelConfig& model,
                              std::string_view alias_of) {
  const RouteConfig& route = model.routes.front();
  json::value pricing = nullptr;
  if (auto price = first_route_price(config, model))
    pricing = json::object{{"input", per_token(price->input_per_mtok)},
                           {"output", per_token(price->output_per_mtok)},
                           {"input_cache_read", per_token(price->cache_read_per_mtok)},
                           {"input_cache_write", per_token(price->cache_write_per_mtok)}};
  std::string description = fmt::format("{}/{}", route.provider, route.model);
  if (model.routes.size() > 1) description += fmt::format(" and {} more routes", model.routes.size() - 1);
  if (!alias_of.empty()) description = fmt::format("alias of {} ({})", alias_of, description);
  json::object entry{{"id", id},
                     {"name", id},
                     {"description", description},
                     {"pricing", std::move(pricing)},
                     {"specification", json::object{{"provider", route.provider}, {"modelId", id}}},
                     {"modelType", embeds(model) ? "embedding" : "language"}};
  if (auto spec = spec_of(model)) {
    entry["context_window"] = spec->context_window;
    entry["max_tokens"] = spec->max_output_tokens;
  }
  return entry;
}

json::object anthropic_entry(std::string_view id, std::string_view created_at) {
  return {{"type", "model"}, {"id", id}, {"display_name", id}, {"created_at", created_at}};
}

}  // namespace

ModelCatalogue::ModelCatalogue(const Config& config) {
  const auto now = std::chrono::system_clock::now();
  const int64_t created = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  const std::string created_at = fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", std::chrono::floor<std::chrono::seconds>(now));
  json::array openai, anthropic;
  auto add = [&](const std::string& id, const ModelConfig* model, std::string_view alias_of) {
    json::object o = openai_entry(config, id, created, model, alias_of), a = anthropic_entry(id, created_at);
    openai_entries_[id] = serialize_json(o);
    anthropic_entries_[id] = serialize_json(a);
    openai.push_back(std::move(o));
    anthropic.push_back(std::move(a));
  };
  for (const auto& [id, model] : config.models)
    if (servable(config, model)) {
      add(id, &model, {});
      ai_gateway_models_.push_back(ai_gateway_entry(config, id, model, {}));
    }
  // Bare names of known families the price table knows, where an enabled provider serves them
  // (the first in routing order names the owner and the price).
  if (config.prices)
    for (const auto& name : config.prices->names()) {
      if (config.models.contains(name) || config.aliases.contains(name)) continue;
      const ProviderConfig* provider = family_provider(config, name);
      if (!provider) continue;
      ModelConfig model{name, {RouteConfig{provider->name, name}}};
      add(name, &model, {});
      ai_gateway_models_.push_back(ai_gateway_entry(config, name, model, {}));
    }
  for (const auto& [alias, targets] : config.aliases) {
    if (targets.empty()) continue;
    add(alias, nullptr, targets.front().model_id);
    if (auto model = config.models.find(targets.front().model_id);
        model != config.models.end() && servable(config, model->second))
      ai_gateway_models_.push_back(ai_gateway_entry(config, alias, model->second, targets.front().model_id));
  }
  json::value first = anthropic.empty() ? json::value(nullptr) : anthropic.front().get_object()["id"];
  json::value last = anthropic.empty() ? json::value(nullptr) : anthropic.back().get_object()["id"];
  openai_list_ = serialize_json(json::object{{"object", "list"}, {"data", std::move(openai)}});
  anthropic_list_ = serialize_json(
      json::object{{"data", std::move(anthropic)}, {"has_more", false}, {"first_id", first}, {"last_id", last}});
}

std::string ModelCatalogue::ai_gateway_config(std::string_view specification_version) const {
  json::array models = ai_gateway_models_;
  for (auto& model : models)
    model.get_object()["specification"].get_object()["specificationVersion"] = specification_version;
  return serialize_json(json::object{{"models", std::move(models)}});
}

std::optional<std::string> ModelCatalogue::entry(std::string_view id, bool anthropic) const {
  const auto& entries = anthropic ? anthropic_entries_ : openai_entries_;
  auto found = entries.find(id);
  return found == entries.end() ? std::nullopt : std::optional(found->second);
}

}  // namespace switchyard
