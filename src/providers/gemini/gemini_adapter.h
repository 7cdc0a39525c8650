#pragma once
#include "providers/provider_adapter.h"

namespace switchyard {

// Google's Gemini API (generateContent): OpenAI requests and answers are translated both ways.
class GeminiAdapter final : public ProviderAdapter {
 public:
  std::variant<UpstreamRequest, Error> build_request(const OpenAIInbound& inbound,
                                                     const Candidate& candidate) const override;
  bool answers_in_openai_format() const override { return false; }
  std::variant<std::string, Error> translate_response(std::string_view body, int64_t created) const override;
  std::unique_ptr<StreamTranslator> translate_stream(int64_t created, bool include_usage) const override;
};

}  // namespace switchyard
