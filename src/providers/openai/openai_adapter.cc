#include "providers/openai/openai_adapter.h"

#include <boost/json.hpp>

#include "translate/json_parse.h"

namespace switchyard {
namespace {

// A request made from another client format, as an OpenAI-compatible host takes it: the gateway's
// own chat extensions (an assistant's signed reasoning, Gemini's signatures of tool calls, the
// built-in web_search tool) removed,
// since chat hosts refuse what they do not know.
std::string chat_body_for_host(boost::json::object body) {
  body.erase("top_k");  // the AI SDK's topK: Anthropic and Gemini take it, OpenAI's chat API refuses it
  if (auto* messages = body.if_contains("messages"); messages && messages->is_array())
    for (auto& message : messages->get_array())
      if (auto* fields = message.if_object()) {
        fields->erase("reasoning");
        fields->erase("reasoning_signature");
        fields->erase("thought_signatures");
        if (auto* calls = fields->if_contains("tool_calls"); calls && calls->is_array())
          for (auto& call : calls->get_array())
            if (auto* call_fields = call.if_object()) call_fields->erase("thought_signature");
      }
  if (auto* tools = body.if_contains("tools"); tools && tools->is_array()) {
    auto& list = tools->get_array();
    for (auto it = list.begin(); it != list.end();)
      it = it->is_object() && it->get_object().contains("function") ? it + 1 : list.erase(it);
    if (list.empty()) {
      body.erase("tools");
      body.erase("tool_choice");
      body.erase("parallel_tool_calls");
    }
  }
  return serialize_json(body);
}

std::string head_lines(const ProviderConfig& provider, bool stream) {
  std::string lines = stream ? "Content-Type: application/json\r\nAccept: text/event-stream\r\n"
                             : "Content-Type: application/json\r\nAccept: application/json\r\n";
  lines += "User-Agent: switchyard\r\n";
  if (!provider.api_key.empty()) lines += "Authorization: Bearer " + provider.api_key + "\r\n";
  return lines;
}

}  // namespace

std::variant<UpstreamRequest, Error> OpenAIAdapter::build_request(const OpenAIInbound& inbound,
                                                                  const Candidate& candidate) const {
  const ProviderConfig& provider = *candidate.provider;
  UpstreamRequest request;
  request.target = provider.endpoint.path_prefix +
                   (inbound.endpoint == OpenAIEndpoint::embeddings ? "/embeddings" : "/chat/completions");
  request.header_lines = head_lines(provider, inbound.view.stream);
  if (inbound.body.empty() && inbound.parsed) {  // a request translated from another client format
    boost::json::object body = *inbound.parsed;
    body["model"] = candidate.upstream_model;
    request.body = chat_body_for_host(std::move(body));
  } else if (inbound.view.model == candidate.upstream_model) {
    request.body = inbound.body;
  } else {
    request.body = splice_model(inbound.body, inbound.view, candidate.upstream_model);
  }
  return request;
}

UpstreamRequest openai_responses_request(const ProviderConfig& provider, bool stream, std::string body) {
  UpstreamRequest request;
  request.target = provider.endpoint.path_prefix + "/responses";
  request.header_lines = head_lines(provider, stream);
  request.body = std::move(body);
  return request;
}

}  // namespace switchyard
