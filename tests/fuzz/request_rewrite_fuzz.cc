// libFuzzer: arbitrary bytes as a client request; what the parse phase accepts and must be
// rewritten before it goes upstream (the gateway's own fields, a stream without usage) is
// rewritten. Never a crash; a rewritten body parses, carries none of the gateway's fields, asks a
// stream for usage, and its view still points at its model token.
#include <cstdint>
#include <string>
#include <variant>

#include "fuzz_check.h"
#include "translate/json_parse.h"
#include "translate/openai_request.h"

using namespace switchyard;

namespace {

void rewrite(const std::string& body, OpenAIEndpoint endpoint) {
  std::string copy = body;
  auto parsed = parse_openai_request(copy, endpoint);
  auto* view = std::get_if<RequestView>(&parsed);
  if (!view || !needs_upstream_rewrite(*view, endpoint)) return;
  const RequestView before = *view;
  if (rewrite_for_upstream(copy, endpoint, *view)) return;  // an Error: refused cleanly

  boost::system::error_code ec;
  boost::json::value value = parse_json(copy, ec);
  FUZZ_CHECK(!ec && value.is_object());
  const auto& object = value.get_object();
  FUZZ_CHECK(!object.contains("models") && !object.contains("providerOptions"));
  if (endpoint == OpenAIEndpoint::chat_completions && before.stream) {
    const auto* options = object.if_contains("stream_options");
    FUZZ_CHECK(options && options->is_object());
    const auto* usage = options->get_object().if_contains("include_usage");
    FUZZ_CHECK(usage && usage->is_bool() && usage->get_bool());
  }
  // The view keeps what the client asked, and points at the new body's model token.
  FUZZ_CHECK(view->model == before.model && view->stream == before.stream &&
             view->include_usage == before.include_usage);
  FUZZ_CHECK(view->gateway.models == before.gateway.models && view->gateway.tags == before.gateway.tags &&
             view->gateway.user == before.gateway.user && !view->gateway.in_body);
  FUZZ_CHECK(view->model_offset + view->model_length <= copy.size());
  auto token = parse_json(std::string_view(copy).substr(view->model_offset, view->model_length), ec);
  FUZZ_CHECK(!ec && token.is_string() && token.get_string() == view->model);
  // Once rewritten, it needs no rewrite again.
  std::string again = copy;
  auto reparsed = parse_openai_request(again, endpoint);
  FUZZ_CHECK(std::holds_alternative<RequestView>(reparsed));
  FUZZ_CHECK(!needs_upstream_rewrite(std::get<RequestView>(reparsed), endpoint));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string body(reinterpret_cast<const char*>(data), size);
  rewrite(body, OpenAIEndpoint::chat_completions);
  rewrite(body, OpenAIEndpoint::embeddings);
  return 0;
}
