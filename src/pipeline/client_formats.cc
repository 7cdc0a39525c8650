#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <chrono>

#include "pipeline/client_format.h"
#include "pipeline/responses.h"
#include "providers/anthropic/anthropic_adapter.h"
#include "providers/openai/openai_adapter.h"
#include "translate/anthropic_inbound.h"
#include "translate/client_text.h"
#include "translate/errors.h"
#include "translate/json_fields.h"
#include "translate/json_parse.h"
#include "translate/responses_answer.h"
#include "translate/responses_request.h"

namespace switchyard {
namespace {

class OpenAIClient final : public ClientFormat {
 public:
  std::variant<ClientRequest, Error> parse(std::string& body, WireApi api,
                                           const http::request_header<>&) const override {
    const OpenAIEndpoint endpoint =
        api == WireApi::embeddings ? OpenAIEndpoint::embeddings : OpenAIEndpoint::chat_completions;
    auto parsed = parse_openai_request(body, endpoint);
    if (auto* error = std::get_if<Error>(&parsed)) return *error;
    RequestView& view = std::get<RequestView>(parsed);
    if (needs_upstream_rewrite(view, endpoint))
      if (auto error = rewrite_for_upstream(body, endpoint, view)) return *error;
    return ClientRequest{endpoint, body, std::move(view), std::nullopt};
  }
  http::response<http::string_body> error_response(const std::string& id, const Error& error) const override {
    return openai_error_response(id, error);
  }
  std::string stream_error_event(const Error& error) const override {
    return "data: " + openai_error_body(error) + "\n\n";
  }
  bool is_error_body(std::string_view body) const override { return is_openai_error_body(body); }
  AnswerFormat answer_format() const override { return AnswerFormat::openai; }
  WireApi wire_api(const ClientRequest& request) const override {
    return request.endpoint == OpenAIEndpoint::embeddings ? WireApi::embeddings : WireApi::chat_completions;
  }
  std::variant<UpstreamRequest, Error> native_request(const ClientRequest& request,
                                                      const Candidate& candidate) const override {
    return adapter_for(ProviderType::openai).build_request({request.endpoint, request.body, request.view}, candidate);
  }
  std::variant<const boost::json::object*, Error> openai_request(ClientRequest& request) const override {
    if (!request.as_openai) {
      boost::system::error_code ec;
      request.as_openai = parse_json(request.body, ec);
      if (ec || !request.as_openai->is_object())
        return make_error(ErrorKind::bad_request, "the request body is not a JSON object this gateway can translate");
    }
    return &request.as_openai->get_object();
  }
  std::variant<std::string, Error> answer_from_openai(std::string body, const ClientRequest&) const override {
    return body;
  }
  std::unique_ptr<StreamTranslator> stream_from_openai(const ClientRequest&) const override { return nullptr; }
};

// Whether a Messages body may hold a thinking block this gateway made: a prefilter on the bytes.
bool has_gateway_thinking(std::string_view body) { return body.find("swy1:") != std::string_view::npos; }

// `body` without the thinking blocks this gateway made (Gemini's call signatures, which an
// Anthropic provider would refuse as a signature it did not issue); unchanged when unreadable.
std::string without_gateway_thinking(std::string_view body) {
  boost::system::error_code ec;
  boost::json::value parsed = parse_json(body, ec);
  boost::json::value* messages = !ec && parsed.is_object() ? parsed.get_object().if_contains("messages") : nullptr;
  if (!messages || !messages->is_array()) return std::string(body);
  for (auto& message : messages->get_array()) {
    auto* content = message.is_object() ? message.get_object().if_contains("content") : nullptr;
    if (!content || !content->is_array()) continue;
    auto& blocks = content->get_array();
    auto ours = [](const boost::json::value& value) {
      const auto* block = value.if_object();
      return block && json_fields::string_field(*block, "type") == "thinking" &&
             json_fields::string_field(*block, "signature").starts_with("swy1:");
    };
    blocks.erase(std::remove_if(blocks.begin(), blocks.end(), ours), blocks.end());
  }
  return serialize_json(parsed);
}

class AnthropicClient final : public ClientFormat {
 public:
  std::variant<ClientRequest, Error> parse(std::string& body, WireApi,
                                           const http::request_header<>& head) const override {
    std::string_view beta = head["anthropic-beta"];
    if (auto error = check_client_text(beta, "anthropic-beta", 2048)) return *error;
    auto parsed = parse_messages_request(body);
    if (auto* error = std::get_if<Error>(&parsed)) return *error;
    auto& messages = std::get<MessagesRequest>(parsed);
    auto openai = openai_request_from_anthropic(messages.request);
    if (auto* error = std::get_if<Error>(&openai)) return *error;
    ClientRequest request{OpenAIEndpoint::chat_completions, body, messages.view,
                          boost::json::value(std::get<boost::json::object>(std::move(openai)))};
    request.view.include_usage = request.view.stream;  // Anthropic streams always tell usage
    request.api_variant = beta;
    return request;
  }
  http::response<http::string_body> error_response(const std::string& id, const Error& error) const override {
    return json_response(id, static_cast<unsigned>(error.status), anthropic_error_body(error));
  }
  std::string stream_error_event(const Error& error) const override { return anthropic_error_event(error); }
  bool is_error_body(std::string_view body) const override {
    boost::system::error_code ec;
    auto value = parse_json(body, ec);
    return !ec && value.is_object() && json_fields::string_field(value.get_object(), "type") == "error" &&
           value.get_object().contains("error");
  }
  AnswerFormat answer_format() const override { return AnswerFormat::anthropic; }
  WireApi wire_api(const ClientRequest&) const override { return WireApi::messages; }
  std::variant<UpstreamRequest, Error> native_request(const ClientRequest& request,
                                                      const Candidate& candidate) const override {
    std::string body = request.view.model == candidate.upstream_model
                           ? std::string(request.body)
                           : splice_model(request.body, request.view, candidate.upstream_model);
    if (has_gateway_thinking(body)) body = without_gateway_thinking(body);
    return anthropic_messages_request(*candidate.provider, request.view.stream, std::move(body), request.api_variant);
  }
  std::variant<const boost::json::object*, Error> openai_request(ClientRequest& request) const override {
    return &request.as_openai->get_object();  // made at parse time
  }
  std::variant<std::string, Error> answer_from_openai(std::string body, const ClientRequest& request) const override {
    return anthropic_response_from_openai(body, request.view.model);
  }
  std::unique_ptr<StreamTranslator> stream_from_openai(const ClientRequest& request) const override {
    return anthropic_stream_from_openai(request.view.model);
  }
};

// Whether a Responses body may hold a reasoning item this gateway made: a prefilter on the bytes.
bool has_gateway_reasoning(std::string_view body) {
  return body.find("swy1:") != std::string_view::npos || body.find("\"rs_gen_") != std::string_view::npos;
}

// `body` without the reasoning items this gateway made (encrypted_content it wrote, or an id it
// gave); unchanged when it cannot be read.
std::string without_gateway_reasoning(std::string_view body) {
  boost::system::error_code ec;
  boost::json::value parsed = parse_json(body, ec);
  boost::json::value* input = !ec && parsed.is_object() ? parsed.get_object().if_contains("input") : nullptr;
  if (!input || !input->is_array()) return std::string(body);
  auto& items = input->get_array();
  for (auto it = items.begin(); it != items.end();) {
    const auto* item = it->if_object();
    const bool ours = item && json_fields::string_field(*item, "type") == "reasoning" &&
                      (json_fields::string_field(*item, "encrypted_content").starts_with("swy1:") ||
                       json_fields::string_field(*item, "id").starts_with("rs_gen_"));
    it = ours ? items.erase(it) : it + 1;
  }
  return serialize_json(parsed);
}

int64_t unix_seconds_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

class ResponsesClient final : public ClientFormat {
 public:
  std::variant<ClientRequest, Error> parse(std::string& body, WireApi, const http::request_header<>&) const override {
    auto parsed = parse_openai_request(body, OpenAIEndpoint::responses);
    if (auto* error = std::get_if<Error>(&parsed)) return *error;
    RequestView& view = std::get<RequestView>(parsed);
    if (needs_upstream_rewrite(view, OpenAIEndpoint::responses))
      if (auto error = rewrite_for_upstream(body, OpenAIEndpoint::responses, view)) return *error;
    return ClientRequest{OpenAIEndpoint::chat_completions, body, std::move(view), std::nullopt, {}};
  }
  http::response<http::string_body> error_response(const std::string& id, const Error& error) const override {
    return openai_error_response(id, error);
  }
  std::string stream_error_event(const Error& error) const override { return responses_error_event(error, 0); }
  bool is_error_body(std::string_view body) const override { return is_openai_error_body(body); }
  AnswerFormat answer_format() const override { return AnswerFormat::responses; }
  WireApi wire_api(const ClientRequest&) const override { return WireApi::responses; }
  std::variant<UpstreamRequest, Error> native_request(const ClientRequest& request,
                                                      const Candidate& candidate) const override {
    // Reasoning items this gateway made (another provider's signed thinking) mean nothing to a
    // provider that serves Responses itself, which would refuse them: they are left out.
    std::string body =
        has_gateway_reasoning(request.body) ? without_gateway_reasoning(request.body) : std::string(request.body);
    if (request.view.model != candidate.upstream_model) {
      auto located = locate_model_token(body);
      if (auto* error = std::get_if<Error>(&located)) return *error;
      RequestView view = request.view;
      std::tie(view.model_offset, view.model_length) = std::get<0>(located);
      body = splice_model(body, view, candidate.upstream_model);
    }
    return openai_responses_request(*candidate.provider, request.view.stream, std::move(body));
  }
  std::variant<const boost::json::object*, Error> openai_request(ClientRequest& request) const override {
    if (request.as_openai) return &request.as_openai->get_object();
    boost::system::error_code ec;
    boost::json::value parsed = parse_json(request.body, ec);
    if (ec || !parsed.is_object())
      return make_error(ErrorKind::bad_request, "the request body is not a JSON object this gateway can translate");
    auto chat = chat_from_responses(parsed.get_object());
    if (auto* error = std::get_if<Error>(&chat)) return *error;
    auto& translated = std::get<ChatFromResponses>(chat);
    if (!translated.left_out.empty())  // as many as the request has, each cut to a printable bound
      spdlog::debug("responses: {} built-in tools (the first: '{}') left out for a provider that cannot run them",
                    translated.left_out.size(), valid_utf8(translated.left_out.front().substr(0, 64)));
    request.answer_shell = response_shell(parsed.get_object());
    if (!request.generation_id.empty()) request.answer_shell["id"] = request.generation_id;
    request.answer_shell["store"] = request.view.store;  // false too when the gateway keeps no content
    // A continued conversation: the id was taken out of the body (no provider knows it) but the
    // answer still names it.
    if (!request.view.previous_response_id.empty())
      request.answer_shell["previous_response_id"] = request.view.previous_response_id;
    request.as_openai = boost::json::value(std::move(translated.chat));
    return &request.as_openai->get_object();
  }
  std::variant<std::string, Error> answer_from_openai(std::string body, const ClientRequest& request) const override {
    return response_from_chat(body, request.answer_shell, unix_seconds_now());
  }
  std::unique_ptr<StreamTranslator> stream_from_openai(const ClientRequest& request) const override {
    return responses_stream_from_chat(request.answer_shell, unix_seconds_now());
  }
  std::unique_ptr<StreamTranslator> stream_from_native() const override { return responses_stream_passthrough(); }
};

}  // namespace

const ClientFormat& openai_client() {
  static const OpenAIClient client;
  return client;
}

const ClientFormat& anthropic_client() {
  static const AnthropicClient client;
  return client;
}

const ClientFormat& responses_client() {
  static const ResponsesClient client;
  return client;
}

}  // namespace switchyard
