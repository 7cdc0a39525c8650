#include "providers/openai/openai_adapter.h"

namespace switchyard {

std::variant<http::request<http::string_body>, Error> OpenAIAdapter::build_request(const OpenAIInbound& inbound,
                                                                                 const Candidate& candidate) const {
  const ProviderConfig& provider = *candidate.provider;
  const char* path = inbound.endpoint == OpenAIEndpoint::chat_completions ? "/chat/completions" : "/embeddings";
  http::request<http::string_body> request{http::verb::post, provider.endpoint.path_prefix + path, 11};
  request.set(http::field::content_type, "application/json");
  request.set(http::field::accept, inbound.view.stream ? "text/event-stream" : "application/json");
  request.set(http::field::user_agent, "switchyard");
  if (!provider.api_key.empty()) request.set(http::field::authorization, "Bearer " + provider.api_key);
  request.body() = inbound.view.model == candidate.upstream_model
                       ? std::string(inbound.body)
                       : splice_model(inbound.body, inbound.view, candidate.upstream_model);
  return request;
}

}  // namespace switchyard
