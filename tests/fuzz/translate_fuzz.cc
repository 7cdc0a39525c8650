// libFuzzer: arbitrary bytes as every kind of body the translators meet — client requests that
// passed the parse phase, provider answers and provider stream events. A bad body must give a
// clean Error, never a crash or an escaping exception.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "translate/anthropic_inbound.h"
#include "translate/anthropic_request.h"
#include "translate/anthropic_response.h"
#include "translate/gemini_request.h"
#include "translate/gemini_response.h"
#include "translate/json_parse.h"
#include "translate/openai_request.h"
#include "translate/sse_events.h"

using namespace switchyard;

namespace {

void requests(std::string body) {
  // Only what the gateway's parse phase accepts reaches the translators.
  std::string copy = body;
  if (std::holds_alternative<RequestView>(parse_openai_request(copy, OpenAIEndpoint::chat_completions))) {
    // The gateway's own parse (simdjson's depth limit, error codes): a body nested deeper than
    // Boost.JSON's default 32 (a deep tool schema) is one the gateway accepts.
    boost::system::error_code ec;
    boost::json::value value = parse_json(body, ec);
    const auto* request = value.if_object();
    if (ec || !request) std::abort();  // the parse phase accepted it: it is a JSON object
    anthropic_request_from_openai(*request, "claude-sonnet-4-5");
    gemini_request_from_openai(*request);
  }
  auto messages = parse_messages_request(body);
  if (auto* parsed = std::get_if<MessagesRequest>(&messages)) openai_request_from_anthropic(parsed->request);
}

void answers(std::string_view body) {
  openai_response_from_anthropic(body, 1);
  openai_response_from_gemini(body, 1);
  anthropic_response_from_openai(body, "m");
}

void streams(std::string_view body) {
  std::string out;
  SseEvent event{"", std::string(body)};
  for (auto* translator : {openai_stream_from_anthropic(1, true).release(),
                           openai_stream_from_gemini(1, true).release(), anthropic_stream_from_openai("m").release()}) {
    std::unique_ptr<StreamTranslator> owned(translator);
    owned->on_event(event, out);
    owned->on_event(event, out);
    owned->on_end(out);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string body(reinterpret_cast<const char*>(data), size);
  requests(body);
  answers(body);
  streams(body);
  return 0;
}
