#include "providers/openai/openai_adapter.h"
#include "translate/json_parse.h"

#include <boost/json.hpp>

namespace switchyard {

std::variant<UpstreamRequest, Error> OpenAIAdapter::build_request(const OpenAIInbound& inbound,
                                                                  const Candidate& candidate) const {
  const ProviderConfig& provider = *candidate.provider;
  UpstreamRequest request;
  request.target = provider.endpoint.path_prefix +
                   (inbound.endpoint == OpenAIEndpoint::chat_completions ? "/chat/completions" : "/embeddings");
  request.header_lines = inbound.view.stream ? "Content-Type: application/json\r\nAccept: text/event-stream\r\n"
                                             : "Content-Type: application/json\r\nAccept: application/json\r\n";
  request.header_lines += "User-Agent: switchyard\r\n";
  if (!provider.api_key.empty()) request.header_lines += "Authorization: Bearer " + provider.api_key + "\r\n";
  if (inbound.body.empty() && inbound.parsed) {  // a request translated from another client format
    boost::json::object body = *inbound.parsed;
    body["model"] = candidate.upstream_model;
    request.body = serialize_json(body);
  } else if (inbound.view.model == candidate.upstream_model) {
    request.body = inbound.body;
  } else {
    request.body = splice_model(inbound.body, inbound.view, candidate.upstream_model);
  }
  return request;
}

}  // namespace switchyard
