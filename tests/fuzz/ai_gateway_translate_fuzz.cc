// libFuzzer: arbitrary bytes as the Vercel AI Gateway protocol's call options (read into chat,
// which the Anthropic and Gemini translators then take, streaming and not) and embedding call, as
// a chat answer and an embeddings answer for a gateway client, and as the chat stream behind its
// stream parts (as SSE, and as one event), in spec versions 2 and 4; and as an error's message.
// Never a crash or an escaping exception; every body written is a JSON object; every stream
// event is a bare `data:` event holding a JSON object with a string `type`, and a stream ends with
// exactly one finish part, through a failure too; a refused request is a bad_request naming a field.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "translate/ai_gateway.h"
#include "translate/anthropic_request.h"
#include "translate/client_text.h"
#include "translate/gemini_request.h"
#include "translate/json_fields.h"
#include "translate/json_parse.h"
#include "translate/sse_events.h"

using namespace switchyard;
namespace json = boost::json;

namespace {

std::optional<json::object> json_object(std::string_view text) {
  boost::system::error_code ec;
  json::value value = parse_json(text, ec);
  if (ec || !value.is_object()) return std::nullopt;
  return std::move(value.get_object());
}

void check_refusal(const Error& error) {
  FUZZ_CHECK(error.kind == ErrorKind::bad_request && !error.message.empty() && !error.param.empty());
}

void request(std::string_view body) {
  auto parsed = json_object(body);
  if (!parsed) return;
  for (bool stream : {false, true}) {
    auto chat = chat_from_call_options(*parsed, "anthropic/claude-sonnet-4.5", stream);
    if (auto* error = std::get_if<Error>(&chat)) {
      check_refusal(*error);
      continue;
    }
    const json::object& translated = std::get<json::object>(chat);
    FUZZ_CHECK(json_object(serialize_json(translated)));
    anthropic_request_from_openai(translated, "claude-sonnet-4-5");
    gemini_request_from_openai(translated);
  }
  auto embeddings = embeddings_from_call_options(*parsed, "openai/text-embedding-3-small");
  if (auto* error = std::get_if<Error>(&embeddings))
    check_refusal(*error);
  else
    FUZZ_CHECK(json_object(serialize_json(std::get<json::object>(embeddings))));
}

void answers(std::string_view body) {
  for (SpecVersion version : {SpecVersion::v2, SpecVersion::v4}) {
    auto result = generate_result_from_chat(body, version);
    if (auto* text = std::get_if<std::string>(&result)) {
      auto object = json_object(*text);
      FUZZ_CHECK(object && object->contains("content") && object->contains("finishReason") &&
                 object->contains("usage"));
    }
  }
  auto embedded = embed_result_from_openai(body, "gen_fuzz");
  if (auto* text = std::get_if<std::string>(&embedded)) FUZZ_CHECK(json_object(*text));
  // Error messages and generation ids are valid UTF-8 (the gateway writes them, or cleans them).
  const std::string text = valid_utf8(body);
  FUZZ_CHECK(json_object(ai_gateway_error_body(make_error(ErrorKind::bad_request, text), text)));
}

// Checks the parts a translator just wrote; counts the finish parts.
void check_parts(std::string_view out, int& finishes) {
  for (const auto& event : parse_sse_events(out)) {
    FUZZ_CHECK(event.name.empty());
    auto part = json_object(event.data);
    FUZZ_CHECK(part && !json_fields::string_field(*part, "type").empty());
    if (json_fields::string_field(*part, "type") == "finish") ++finishes;
  }
}

void stream(const std::vector<SseEvent>& events, SpecVersion version) {
  auto translator = stream_parts_from_chat(version, "anthropic/claude-sonnet-4.5");
  int finishes = 0;
  std::string out;
  std::optional<Error> error;
  for (const auto& event : events) {
    out.clear();
    error = translator->on_event(event, out);
    check_parts(out, finishes);
    if (error) break;
  }
  if (!error) {
    out.clear();
    error = translator->on_end(out);
    check_parts(out, finishes);
  }
  if (error) {
    out.clear();
    FUZZ_CHECK(translator->write_error(*error, out));
    check_parts(out, finishes);
  }
  FUZZ_CHECK(finishes == 1);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  request(input);
  answers(input);
  const std::vector<SseEvent> events = parse_sse_events(input);
  for (SpecVersion version : {SpecVersion::v2, SpecVersion::v4}) {
    stream(events, version);                              // a chat stream
    stream({SseEvent{"", std::string(input)}}, version);  // one chunk, then the end
  }
  return 0;
}
