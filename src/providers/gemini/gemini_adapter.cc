#include "providers/gemini/gemini_adapter.h"

#include <boost/json.hpp>

#include "translate/client_text.h"
#include "translate/gemini_request.h"
#include "translate/gemini_response.h"
#include "translate/json_parse.h"

namespace switchyard {

std::variant<UpstreamRequest, Error> GeminiAdapter::build_request(const OpenAIInbound& inbound,
                                                                  const Candidate& candidate) const {
  if (inbound.endpoint == OpenAIEndpoint::embeddings) {
    auto batch = gemini_embeddings_request_from_openai(*inbound.parsed, candidate.upstream_model);
    if (auto* error = std::get_if<Error>(&batch)) return *error;
    return gemini_request(*candidate.provider, candidate.upstream_model, "batchEmbedContents",
                          serialize_json(std::get<boost::json::object>(batch)));
  }
  if (inbound.endpoint != OpenAIEndpoint::chat_completions)
    return make_error(ErrorKind::bad_request,
                      "provider '" + candidate.provider->name + "' (Gemini) takes chat and embedding requests only");
  auto body = gemini_request_from_openai(*inbound.parsed);
  if (auto* error = std::get_if<Error>(&body)) return *error;
  return gemini_request(*candidate.provider, candidate.upstream_model,
                        inbound.view.stream ? "streamGenerateContent?alt=sse" : "generateContent",
                        serialize_json(std::get<boost::json::object>(body)));
}

UpstreamRequest gemini_request(const ProviderConfig& provider, std::string_view model, std::string_view method,
                               std::string body) {
  UpstreamRequest request;
  request.target =
      provider.endpoint.path_prefix + "/v1beta/models/" + percent_encode_segment(model) + ":" + std::string(method);
  request.header_lines = "Content-Type: application/json\r\nUser-Agent: switchyard\r\n";
  if (!provider.api_key.empty()) request.header_lines += "x-goog-api-key: " + provider.api_key + "\r\n";
  request.body = std::move(body);
  return request;
}

std::variant<std::string, Error> GeminiAdapter::translate_response(std::string_view body, OpenAIEndpoint endpoint,
                                                                   std::string_view model, int64_t created) const {
  if (endpoint == OpenAIEndpoint::embeddings) return openai_embeddings_from_gemini(body, model);
  return openai_response_from_gemini(body, created);
}

std::unique_ptr<StreamTranslator> GeminiAdapter::translate_stream(int64_t created, bool include_usage) const {
  return openai_stream_from_gemini(created, include_usage);
}

}  // namespace switchyard
