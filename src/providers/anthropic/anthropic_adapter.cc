#include "providers/anthropic/anthropic_adapter.h"

#include <boost/json.hpp>

#include "translate/anthropic_request.h"
#include "translate/anthropic_response.h"
#include "translate/json_parse.h"

namespace switchyard {

std::variant<UpstreamRequest, Error> AnthropicAdapter::build_request(const OpenAIInbound& inbound,
                                                                     const Candidate& candidate) const {
  if (inbound.endpoint != OpenAIEndpoint::chat_completions)
    return make_error(ErrorKind::bad_request,
                      "provider '" + candidate.provider->name + "' (Anthropic) has no embeddings");
  auto body = anthropic_request_from_openai(*inbound.parsed, candidate.upstream_model);
  if (auto* error = std::get_if<Error>(&body)) return *error;
  return anthropic_messages_request(*candidate.provider, inbound.view.stream,
                                    serialize_json(std::get<boost::json::object>(body)));
}

UpstreamRequest anthropic_messages_request(const ProviderConfig& provider, bool stream, std::string body,
                                           std::string_view beta) {
  UpstreamRequest request;
  request.target = provider.endpoint.path_prefix + "/v1/messages";
  request.header_lines = stream ? "Content-Type: application/json\r\nAccept: text/event-stream\r\n"
                                : "Content-Type: application/json\r\nAccept: application/json\r\n";
  request.header_lines += "anthropic-version: 2023-06-01\r\nUser-Agent: switchyard\r\n";
  if (!provider.api_key.empty()) request.header_lines += "x-api-key: " + provider.api_key + "\r\n";
  if (!beta.empty()) request.header_lines += "anthropic-beta: " + std::string(beta) + "\r\n";
  request.body = std::move(body);
  return request;
}

std::variant<std::string, Error> AnthropicAdapter::translate_response(std::string_view body, OpenAIEndpoint,
                                                                      std::string_view, int64_t created) const {
  return openai_response_from_anthropic(body, created);
}

std::unique_ptr<StreamTranslator> AnthropicAdapter::translate_stream(int64_t created, bool include_usage) const {
  return openai_stream_from_anthropic(created, include_usage);
}

}  // namespace switchyard
