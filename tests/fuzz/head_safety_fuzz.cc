// libFuzzer: arbitrary bytes as a client request body through each parse phase (OpenAI chat and
// embeddings, Anthropic messages). Whatever a parse accepts is what the gateway goes on to write
// into message heads, URL paths, metric labels and logs, so no CR, LF or NUL from the request may
// survive in it; and the model splice must replace exactly the model token.
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "fuzz_check.h"
#include "translate/anthropic_inbound.h"
#include "translate/client_text.h"
#include "translate/json_parse.h"
#include "translate/openai_request.h"

using namespace switchyard;

namespace {

bool head_safe(std::string_view text) {
  return text.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos && is_valid_utf8(text);
}

bool path_safe(std::string_view segment) {
  for (unsigned char c : segment) {
    bool kept = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                std::string_view("-._~!$&'()*+,;=@%").find(static_cast<char>(c)) != std::string_view::npos;
    if (!kept) return false;
  }
  return true;
}

void check_texts(const RequestView& view) {
  FUZZ_CHECK(!view.model.empty());
  FUZZ_CHECK(head_safe(view.model));
  FUZZ_CHECK(path_safe(percent_encode_segment(view.model)));
  for (const auto* list : {&view.gateway.models, &view.gateway.order, &view.gateway.only, &view.gateway.tags})
    for (const auto& text : *list) FUZZ_CHECK(head_safe(text));
  FUZZ_CHECK(head_safe(view.gateway.user));
}

// The model token the view points at is a JSON string whose value is the model.
void check_token(std::string_view body, const RequestView& view) {
  FUZZ_CHECK(view.model_offset <= body.size() && view.model_length <= body.size() - view.model_offset);
  boost::system::error_code ec;
  auto token = parse_json(body.substr(view.model_offset, view.model_length), ec);
  FUZZ_CHECK(!ec && token.is_string() && token.get_string() == view.model);
}

// The body with another model spliced in reads back the same but for the model, which sits where
// the old one did.
template <class Parse>
void check_splice(std::string_view body, const RequestView& view, std::string_view upstream_model, Parse parse) {
  std::string spliced = splice_model(body, view, upstream_model);
  std::variant<RequestView, Error> again = parse(spliced);
  FUZZ_CHECK(std::holds_alternative<RequestView>(again));
  const auto& other = std::get<RequestView>(again);
  FUZZ_CHECK(other.model == upstream_model);
  FUZZ_CHECK(other.model_offset == view.model_offset);
  FUZZ_CHECK(spliced.substr(0, view.model_offset) == body.substr(0, view.model_offset));
  FUZZ_CHECK(spliced.substr(other.model_offset + other.model_length) ==
             body.substr(view.model_offset + view.model_length));
  FUZZ_CHECK(other.stream == view.stream && other.include_usage == view.include_usage);
  FUZZ_CHECK(other.gateway.models == view.gateway.models && other.gateway.order == view.gateway.order &&
             other.gateway.only == view.gateway.only && other.gateway.tags == view.gateway.tags &&
             other.gateway.user == view.gateway.user && other.gateway.in_body == view.gateway.in_body);
}

template <class Parse>
void check_phase(const std::string& body, Parse parse) {
  std::string copy = body;  // the parse may grow its capacity (padding), never its contents
  std::variant<RequestView, Error> parsed = parse(copy);
  FUZZ_CHECK(copy == body);
  auto* view = std::get_if<RequestView>(&parsed);
  if (!view) return;
  check_texts(*view);
  check_token(body, *view);
  check_splice(body, *view, "upstream-model", parse);
  check_splice(body, *view, "org/up\"stream\\model \xC3\xA9", parse);  // a name the splice must escape
}

std::variant<RequestView, Error> openai_phase(std::string& body, OpenAIEndpoint endpoint) {
  return parse_openai_request(body, endpoint);
}

std::variant<RequestView, Error> messages_phase(std::string& body) {
  auto parsed = parse_messages_request(body);
  if (auto* error = std::get_if<Error>(&parsed)) return std::move(*error);
  return std::get<MessagesRequest>(std::move(parsed)).view;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string body(reinterpret_cast<const char*>(data), size);
  check_phase(body, [](std::string& b) { return openai_phase(b, OpenAIEndpoint::chat_completions); });
  check_phase(body, [](std::string& b) { return openai_phase(b, OpenAIEndpoint::embeddings); });
  check_phase(body, messages_phase);
  return 0;
}
