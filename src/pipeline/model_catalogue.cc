#include "pipeline/model_catalogue.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <boost/json.hpp>
#include <chrono>

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

json::object openai_entry(std::string_view id, int64_t created, const ModelConfig* model, std::string_view alias_of) {
  json::object entry{{"id", id}, {"object", "model"}, {"created", created}};
  if (model) {
    entry["owned_by"] = model->routes.front().provider;
    json::array routes;
    for (const auto& route : model->routes) routes.push_back(json::value(route.provider + "/" + route.model));
    entry["routes"] = std::move(routes);
    if (model->price)
      entry["pricing"] =
          json::object{{"input", model->price->input_per_mtok}, {"output", model->price->output_per_mtok}};
  } else {
    entry["owned_by"] = "switchyard";
    entry["alias_of"] = alias_of;
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
    json::object o = openai_entry(id, created, model, alias_of), a = anthropic_entry(id, created_at);
    openai_entries_[id] = serialize_json(o);
    anthropic_entries_[id] = serialize_json(a);
    openai.push_back(std::move(o));
    anthropic.push_back(std::move(a));
  };
  for (const auto& [id, model] : config.models)
    if (servable(config, model)) add(id, &model, {});
  for (const auto& [alias, targets] : config.aliases)
    if (!targets.empty()) add(alias, nullptr, targets.front().model_id);
  json::value first = anthropic.empty() ? json::value(nullptr) : anthropic.front().get_object()["id"];
  json::value last = anthropic.empty() ? json::value(nullptr) : anthropic.back().get_object()["id"];
  openai_list_ = serialize_json(json::object{{"object", "list"}, {"data", std::move(openai)}});
  anthropic_list_ = serialize_json(
      json::object{{"data", std::move(anthropic)}, {"has_more", false}, {"first_id", first}, {"last_id", last}});
}

std::optional<std::string> ModelCatalogue::entry(std::string_view id, bool anthropic) const {
  const auto& entries = anthropic ? anthropic_entries_ : openai_entries_;
  auto found = entries.find(id);
  return found == entries.end() ? std::nullopt : std::optional(found->second);
}

}  // namespace switchyard
