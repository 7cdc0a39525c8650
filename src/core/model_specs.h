#pragma once
// What the model catalogue tells of known models (data/model_catalogue.yaml's `models`): context
// window, most output tokens and capabilities, as their vendors publish them.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace switchyard {

struct ModelSpec {
  int64_t context_window = 0;
  int64_t max_output_tokens = 0;
  bool tools = false, vision = false, reasoning = false, prompt_caching = false, embeddings = false;
};

class ModelSpecs {
 public:
  // Parses a catalogue's `models` list; throws ConfigError naming `source` and the entry.
  static ModelSpecs parse(const std::string& yaml_text, const std::string& source);
  // The table compiled into the binary.
  static const ModelSpecs& builtin();
  // The spec of an upstream model name, matched as the price table matches (PriceTable::canonical_name;
  // else the longest listed name it starts with, followed by '-' or '.'); nullopt when unknown.
  std::optional<ModelSpec> find(std::string_view upstream_model) const;

 private:
  std::unordered_map<std::string, ModelSpec> by_name_;
};

}  // namespace switchyard
