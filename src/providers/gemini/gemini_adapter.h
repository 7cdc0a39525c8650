#pragma once
#include "providers/provider_adapter.h"

namespace switchyard {

// A POST {base_url}/v1beta/models/{model}:{method} with the provider's key, carrying `body`.
UpstreamRequest gemini_request(const ProviderConfig& provider, std::string_view model, std::string_view method,
                               std::string body);

// Google's Gemini API (generateContent): OpenAI requests and answers are translated both ways.
class GeminiAdapter final : public ProviderAdapter {
 public:
  std::variant<UpstreamRequest, Error> build_request(const OpenAIInbound& inbound,
                                                     const Candidate& candidate) const override;
  bool answers_in_openai_format() const override { return false; }
  std::variant<std::string, Error> translate_response(std::string_view body, OpenAIEndpoint endpoint,
                                                      std::string_view model, int64_t created) const override;
  std::unique_ptr<StreamTranslator> translate_stream(int64_t created, bool include_usage) const override;
};

}  // namespace switchyard
