#pragma once
// The models a client can name, as the OpenAI, Anthropic and AI SDKs list and retrieve them: every
// configured model id with at least one route on an enabled provider, and every alias. Built
// once per config (a reload builds it again).
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/array.hpp>

#include "core/config.h"

namespace switchyard {

class ModelCatalogue {
 public:
  explicit ModelCatalogue(const Config& config);
  // GET /v1/models: OpenAI's list ({object: "list", data}), or Anthropic's ({data, has_more,
  // first_id, last_id}) when the request carries anthropic-version.
  const std::string& list(bool anthropic) const { return anthropic ? anthropic_list_ : openai_list_; }
  // GET /v1/models/{id} (the id percent-decoded): the one entry in the same shape; nullopt when
  // no model has that id.
  std::optional<std::string> entry(std::string_view id, bool anthropic) const;
  // GET /v{1,3,4}/ai/config: the AI Gateway's {models: [{id, name, description, pricing (USD per
  // token, decimal strings), specification {specificationVersion, provider, modelId},
  // modelType}]}; `specification_version` is what the SDK major expects ("v2", "v3", "v4").
  std::string ai_gateway_config(std::string_view specification_version) const;

 private:
  std::map<std::string, std::string, std::less<>> openai_entries_, anthropic_entries_;
  std::string openai_list_, anthropic_list_;
  boost::json::array ai_gateway_models_;  // specificationVersion left for the request to fill in
};

}  // namespace switchyard
