#pragma once
#include "providers/provider_adapter.h"

namespace switchyard {

// POST {base_url}/v1/messages with Anthropic's headers and the provider's key, carrying `body`;
// `beta` (the client's anthropic-beta header, checked to be
// printable) goes on as it came: a request using beta features is refused without it.
UpstreamRequest anthropic_messages_request(const ProviderConfig& provider, bool stream, std::string body,
                                           std::string_view beta = {});

// Anthropic's Messages API: OpenAI requests and answers are translated both ways.
class AnthropicAdapter final : public ProviderAdapter {
 public:
  std::variant<UpstreamRequest, Error> build_request(const OpenAIInbound& inbound,
                                                     const Candidate& candidate) const override;
  bool answers_in_openai_format() const override { return false; }
  std::variant<std::string, Error> translate_response(std::string_view body, OpenAIEndpoint endpoint,
                                                      std::string_view model, int64_t created) const override;
  std::unique_ptr<StreamTranslator> translate_stream(int64_t created, bool include_usage) const override;
};

}  // namespace switchyard
