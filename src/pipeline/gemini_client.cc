// Google's Gemini API as clients call it (@google/genai, @ai-sdk/google): the model and the
// method sit in the path ("/v1beta/models/{model}:generateContent"), the body is the method's.
// Gemini providers get the client's bytes; others a translation through OpenAI chat or embeddings.
#include <boost/json.hpp>

#include "pipeline/client_format.h"
#include "pipeline/gemini_path.h"
#include "pipeline/responses.h"
#include "providers/gemini/gemini_adapter.h"
#include "translate/gemini_inbound.h"
#include "translate/json_fields.h"
#include "translate/json_parse.h"
#include "translate/reasoning_token.h"

namespace switchyard {
namespace {

// Asks nothing of `body` but that it is one JSON object.
std::variant<boost::json::object, Error> body_object(std::string_view body) {
  boost::system::error_code ec;
  boost::json::value parsed = parse_json(body, ec);
  if (ec || !parsed.is_object())
    return make_error(ErrorKind::bad_request, "the request body must be one JSON object (" +
                                                  (ec ? ec.message() : std::string("another JSON value")) + ")");
  return std::move(parsed.get_object());
}

// Whether a Gemini body may hold a thoughtSignature this gateway wrote (base64 of "swy1:..."): a
// prefilter on the bytes.
bool has_gateway_signature(std::string_view body) { return body.find("\"c3d5MT") != std::string_view::npos; }

// `body` without the thoughtSignatures this gateway wrote (another provider's signed reasoning,
// which Gemini would refuse as a signature it did not issue); unchanged when unreadable.
std::string without_gateway_signatures(std::string_view body) {
  auto parsed = body_object(body);
  auto* object = std::get_if<boost::json::object>(&parsed);
  auto* contents = object ? object->if_contains("contents") : nullptr;
  if (!contents || !contents->is_array()) return std::string(body);
  for (auto& content : contents->get_array()) {
    auto* parts = content.is_object() ? content.get_object().if_contains("parts") : nullptr;
    if (!parts || !parts->is_array()) continue;
    for (auto& part : parts->get_array())
      if (auto* fields = part.if_object())
        if (read_thought_signature(json_fields::string_field(*fields, "thoughtSignature")))
          fields->erase("thoughtSignature");
  }
  return serialize_json(*object);
}

bool is_batch(const ClientRequest& request) { return request.api_variant == "batchEmbedContents"; }

// A batchEmbedContents body names the model again in each request: the upstream's, for Gemini.
std::variant<std::string, Error> with_upstream_model(std::string_view body, std::string_view upstream_model) {
  auto parsed = body_object(body);
  if (auto* error = std::get_if<Error>(&parsed)) return *error;
  auto& object = std::get<boost::json::object>(parsed);
  if (auto* requests = object.if_contains("requests"); requests && requests->is_array())
    for (auto& each : requests->get_array())
      if (each.is_object()) each.get_object()["model"] = "models/" + std::string(upstream_model);
  return serialize_json(object);
}

class GeminiClient final : public ClientFormat {
 public:
  std::variant<ClientRequest, Error> parse(std::string& body, WireApi,
                                           const http::request_header<>& head) const override {
    auto call = read_gemini_path(head.target());
    if (auto* error = std::get_if<Error>(&call)) return *error;
    GeminiCall& named = std::get<GeminiCall>(call);
    if (auto checked = body_object(body); auto* error = std::get_if<Error>(&checked)) return *error;
    ClientRequest request{named.embeds ? OpenAIEndpoint::embeddings : OpenAIEndpoint::chat_completions, body, {}};
    request.view.model = std::move(named.model);
    request.view.stream = named.method == "streamGenerateContent";
    request.view.include_usage = request.view.stream;  // Gemini streams always tell usage
    request.api_variant = named.method;
    return request;
  }
  http::response<http::string_body> error_response(const std::string& id, const Error& error) const override {
    return json_response(id, static_cast<unsigned>(error.status), gemini_error_body(error));
  }
  std::string stream_error_event(const Error& error) const override {
    return "data: " + gemini_error_body(error) + "\r\n\r\n";
  }
  bool is_error_body(std::string_view body) const override {
    auto parsed = body_object(body);
    const auto* object = std::get_if<boost::json::object>(&parsed);
    const auto* error = object ? object->if_contains("error") : nullptr;
    return error && error->is_object() && error->get_object().contains("code");
  }
  AnswerFormat answer_format() const override { return AnswerFormat::gemini; }
  WireApi wire_api(const ClientRequest&) const override { return WireApi::generate_content; }
  std::variant<UpstreamRequest, Error> native_request(const ClientRequest& request,
                                                      const Candidate& candidate) const override {
    std::string method = request.view.stream ? "streamGenerateContent?alt=sse" : std::string(request.api_variant);
    if (!is_batch(request))
      return gemini_request(
          *candidate.provider, candidate.upstream_model, method,
          has_gateway_signature(request.body) ? without_gateway_signatures(request.body) : std::string(request.body));
    auto body = with_upstream_model(request.body, candidate.upstream_model);
    if (auto* error = std::get_if<Error>(&body)) return *error;
    return gemini_request(*candidate.provider, candidate.upstream_model, method,
                          std::move(std::get<std::string>(body)));
  }
  std::variant<const boost::json::object*, Error> openai_request(ClientRequest& request) const override {
    if (request.as_openai) return &request.as_openai->get_object();
    auto parsed = body_object(request.body);
    if (auto* error = std::get_if<Error>(&parsed)) return *error;
    const auto& object = std::get<boost::json::object>(parsed);
    auto translated = request.endpoint == OpenAIEndpoint::embeddings
                          ? embeddings_from_gemini(object, request.view.model, is_batch(request))
                          : chat_from_gemini(object, request.view.model, request.view.stream);
    if (auto* error = std::get_if<Error>(&translated)) return *error;
    request.as_openai = boost::json::value(std::move(std::get<boost::json::object>(translated)));
    return &request.as_openai->get_object();
  }
  std::variant<std::string, Error> answer_from_openai(std::string body, const ClientRequest& request) const override {
    if (request.endpoint == OpenAIEndpoint::embeddings) return gemini_embeddings_from_openai(body, is_batch(request));
    return gemini_answer_from_chat(body, request.view.model);
  }
  std::unique_ptr<StreamTranslator> stream_from_openai(const ClientRequest& request) const override {
    return gemini_stream_from_chat(request.view.model);
  }
  std::unique_ptr<StreamTranslator> stream_from_native() const override { return gemini_stream_passthrough(); }
};

}  // namespace

const ClientFormat& gemini_client() {
  static const GeminiClient client;
  return client;
}

}  // namespace switchyard
