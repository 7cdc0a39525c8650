#pragma once
#include "providers/provider_adapter.h"

namespace switchyard {

// OpenAI and every OpenAI-compatible host: the body passes through as bytes, only the model
// value is replaced by the upstream's model name.
class OpenAIAdapter final : public ProviderAdapter {
 public:
  std::variant<UpstreamRequest, Error> build_request(const OpenAIInbound& inbound,
                                                     const Candidate& candidate) const override;
  bool answers_in_openai_format() const override { return true; }
  // Never called: the answer is relayed as it came.
  std::variant<std::string, Error> translate_response(std::string_view body, OpenAIEndpoint, std::string_view,
                                                      int64_t) const override {
    return std::string(body);
  }
  std::unique_ptr<StreamTranslator> translate_stream(int64_t, bool) const override { return nullptr; }
};

// A Responses API request for a provider that serves it (`body` is the client's, model replaced).
UpstreamRequest openai_responses_request(const ProviderConfig& provider, bool stream, std::string body);

}  // namespace switchyard
