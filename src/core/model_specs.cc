#include "core/model_specs.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "core/config.h"
#include "core/prices.h"

namespace switchyard {
namespace {

std::vector<std::string> names_of(const YAML::Node& node) {
  std::vector<std::string> names;
  if (node.IsSequence())
    for (const auto& name : node) names.push_back(name.as<std::string>());
  else
    names.push_back(node.as<std::string>());
  return names;
}

}  // namespace

ModelSpecs ModelSpecs::parse(const std::string& yaml_text, const std::string& source) {
  ModelSpecs specs;
  try {
    const YAML::Node models = YAML::Load(yaml_text)["models"];
    for (std::size_t i = 0; models && i < models.size(); ++i) {
      const YAML::Node& entry = models[i];
      ModelSpec spec;
      spec.context_window = entry["context"].as<int64_t>();
      spec.max_output_tokens = entry["max_output"].as<int64_t>();
      for (const auto& capability : entry["capabilities"]) {
        const std::string name = capability.as<std::string>();
        bool* flag = name == "tools"            ? &spec.tools
                     : name == "vision"         ? &spec.vision
                     : name == "reasoning"      ? &spec.reasoning
                     : name == "prompt_caching" ? &spec.prompt_caching
                     : name == "embeddings"     ? &spec.embeddings
                                                : nullptr;
        if (!flag) throw ConfigError(fmt::format("{}: models[{}]: unknown capability '{}'", source, i, name));
        *flag = true;
      }
      for (const auto& name : names_of(entry["name"])) specs.by_name_[PriceTable::canonical_name(name)] = spec;
    }
  } catch (const YAML::Exception& e) {
    throw ConfigError(fmt::format("{}: models: {}", source, e.what()));
  }
  return specs;
}

const ModelSpecs& ModelSpecs::builtin() {
  static const ModelSpecs specs = parse(builtin_catalogue_yaml(), "data/model_catalogue.yaml");
  return specs;
}

std::optional<ModelSpec> ModelSpecs::find(std::string_view upstream_model) const {
  const std::string name = PriceTable::canonical_name(upstream_model);
  if (auto exact = by_name_.find(name); exact != by_name_.end()) return exact->second;
  const std::pair<const std::string, ModelSpec>* best = nullptr;
  for (const auto& entry : by_name_) {
    const std::string& listed = entry.first;
    if (name.size() > listed.size() && name.starts_with(listed) &&
        (name[listed.size()] == '-' || name[listed.size()] == '.') && (!best || listed.size() > best->first.size()))
      best = &entry;
  }
  return best ? std::optional(best->second) : std::nullopt;
}

}  // namespace switchyard
