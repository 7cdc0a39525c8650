// The Vercel AI Gateway protocol as the AI SDK's gateway provider speaks it: POST
// {base}/language-model and {base}/embedding-model, the model id and the stream flag in headers,
// the body the AI SDK's call options. No provider speaks it: every request is translated to
// OpenAI chat or embeddings, and every answer made from the OpenAI one, after the meter stamped it.
#include <boost/json.hpp>

#include "pipeline/client_format.h"
#include "pipeline/responses.h"
#include "translate/ai_gateway.h"
#include "translate/client_text.h"
#include "translate/json_parse.h"

namespace switchyard {
namespace {

// The specification version a language-model request names ("2", "3" or "4"; none: "4"), as
// the request's api_variant; a bad_request Error for any other.
std::variant<std::string_view, Error> spec_header(std::string_view header) {
  if (header.empty()) return std::string_view("4");
  if (header == "2" || header == "3" || header == "4") return header;
  return make_error(ErrorKind::bad_request, "ai-language-model-specification-version must be 2, 3 or 4",
                    "ai-language-model-specification-version");
}

SpecVersion version_of(const ClientRequest& request) {
  return request.api_variant == "2" ? SpecVersion::v2 : request.api_variant == "3" ? SpecVersion::v3 : SpecVersion::v4;
}

class AiGatewayClient final : public ClientFormat {
 public:
  std::variant<ClientRequest, Error> parse(std::string& body, WireApi,
                                           const http::request_header<>& head) const override {
    const std::string_view path = head.target().substr(0, head.target().find('?'));
    const bool embeds = path.ends_with("/embedding-model");
    const std::string_view header = embeds ? "ai-model-id" : "ai-language-model-id";
    std::string_view model = head[embeds ? "ai-model-id" : "ai-language-model-id"];
    if (model.empty()) return make_error(ErrorKind::bad_request, "the " + std::string(header) + " header is required");
    if (auto error = check_client_text(model, header, kMaxModelIdBytes)) return *error;
    auto version = spec_header(embeds ? "" : head["ai-language-model-specification-version"]);
    if (auto* error = std::get_if<Error>(&version)) return *error;
    auto options = gateway_options_of(body);
    if (auto* error = std::get_if<Error>(&options)) return *error;

    ClientRequest request{embeds ? OpenAIEndpoint::embeddings : OpenAIEndpoint::chat_completions, body, {}};
    request.view.model = model;
    request.view.stream = !embeds && beast::iequals(head["ai-language-model-streaming"], "true");
    request.view.include_usage = true;  // every finish part tells usage
    request.view.gateway = std::move(std::get<GatewayOptions>(options));
    request.api_variant = std::get<std::string_view>(version);
    boost::system::error_code ec;
    boost::json::value parsed = parse_json(body, ec);
    if (ec || !parsed.is_object())
      return make_error(ErrorKind::bad_request, "the request body must be one JSON object (the call options)");
    auto translated = embeds ? embeddings_from_call_options(parsed.get_object(), model)
                             : chat_from_call_options(parsed.get_object(), model, request.view.stream);
    if (auto* error = std::get_if<Error>(&translated)) return *error;
    request.as_openai = boost::json::value(std::move(std::get<boost::json::object>(translated)));
    return request;
  }
  http::response<http::string_body> error_response(const std::string& id, const Error& error) const override {
    return json_response(id, static_cast<unsigned>(error.status), ai_gateway_error_body(error, id));
  }
  std::string stream_error_event(const Error& error) const override {
    boost::json::object part{{"type", "error"},
                             {"error", boost::json::object{{"message", error.message}, {"statusCode", error.status}}}};
    return "data: " + serialize_json(part) + "\n\n";
  }
  bool is_error_body(std::string_view) const override { return false; }  // no provider answers in this protocol
  AnswerFormat answer_format() const override { return AnswerFormat::openai; }
  bool answers_made_from_openai() const override { return true; }
  WireApi wire_api(const ClientRequest&) const override { return WireApi::ai_gateway; }
  std::variant<UpstreamRequest, Error> native_request(const ClientRequest&, const Candidate&) const override {
    return make_error(ErrorKind::internal, "no provider speaks the AI Gateway protocol");
  }
  std::variant<const boost::json::object*, Error> openai_request(ClientRequest& request) const override {
    return &request.as_openai->get_object();  // made at parse time
  }
  std::variant<std::string, Error> answer_from_openai(std::string body, const ClientRequest& request) const override {
    if (request.endpoint == OpenAIEndpoint::embeddings) return embed_result_from_openai(body, request.generation_id);
    return generate_result_from_chat(body, version_of(request));
  }
  std::unique_ptr<StreamTranslator> stream_from_openai(const ClientRequest& request) const override {
    return stream_parts_from_chat(version_of(request), request.view.model);
  }
};

}  // namespace

const ClientFormat& ai_gateway_client() {
  static const AiGatewayClient client;
  return client;
}

}  // namespace switchyard
