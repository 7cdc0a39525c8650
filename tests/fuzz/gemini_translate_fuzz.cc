// libFuzzer: arbitrary bytes as what a Gemini client sends (a generateContent request, read into
// chat, which the other providers' translators then take; an embedContent or batchEmbedContents
// request, read into OpenAI's, which a Gemini provider then takes), as the chat answer and chat
// stream written back for it, and as the OpenAI and Gemini embedding answers. Never a crash or an
// escaping exception; a refusal is a bad_request naming its field; every body and event written is
// a JSON object; every candidate of every event has a part (genai's chats drop a turn otherwise);
// a stream ends complete only with finishReason on its last event.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "translate/anthropic_request.h"
#include "translate/gemini_inbound.h"
#include "translate/gemini_request.h"
#include "translate/gemini_response.h"
#include "translate/json_fields.h"
#include "translate/json_parse.h"
#include "translate/sse_events.h"

using namespace switchyard;
namespace json = boost::json;

namespace {

void check_refusal(const Error& error) {
  FUZZ_CHECK(error.kind == ErrorKind::bad_request && !error.param.empty() &&
             error.message.starts_with(error.param + " "));
}

void requests(const json::object& body) {
  for (bool stream : {false, true}) {
    auto chat = chat_from_gemini(body, "m", stream);
    if (auto* error = std::get_if<Error>(&chat)) {
      check_refusal(*error);
      continue;
    }
    const json::object& request = std::get<json::object>(chat);
    FUZZ_CHECK(json_object(serialize_json(request)));
    anthropic_request_from_openai(request, "claude-sonnet-4-5");
    gemini_request_from_openai(request);
  }
  for (bool batch : {false, true}) {
    auto embeddings = embeddings_from_gemini(body, "m", batch);
    if (auto* error = std::get_if<Error>(&embeddings)) {
      check_refusal(*error);
      continue;
    }
    // What a Gemini client may embed, a Gemini provider takes.
    FUZZ_CHECK(std::holds_alternative<json::object>(
        gemini_embeddings_request_from_openai(std::get<json::object>(embeddings), "e")));
  }
}

// A GenerateContentResponse (a body or an event) whose every candidate has at least one part;
// returns whether its first candidate has a finishReason.
bool check_response(std::string_view text) {
  auto response = json_object(text);
  FUZZ_CHECK(response);
  const json::value* candidates = response->if_contains("candidates");
  FUZZ_CHECK(candidates && candidates->is_array() && !candidates->get_array().empty());
  for (const auto& candidate : candidates->get_array()) {
    const json::object& content = json_fields::object_field(candidate.get_object(), "content");
    const json::value* parts = content.if_contains("parts");
    FUZZ_CHECK(parts && parts->is_array() && !parts->get_array().empty());
  }
  return candidates->get_array().front().get_object().contains("finishReason");
}

// Checks every event written ("data: <json>\r\n\r\n"); returns whether the last has a finishReason.
bool check_events(std::string_view out) {
  bool finished = false;
  while (!out.empty()) {
    std::size_t end = out.find("\r\n\r\n");
    FUZZ_CHECK(out.starts_with("data: ") && end != std::string_view::npos);
    finished = check_response(out.substr(6, end - 6));
    out.remove_prefix(end + 4);
  }
  return finished;
}

void stream(const std::vector<SseEvent>& events) {
  auto translator = gemini_stream_from_chat("m");
  std::string out;
  std::optional<Error> error;
  bool finished = false;
  for (const auto& event : events) {
    out.clear();
    error = translator->on_event(event, out);
    if (!out.empty()) finished = check_events(out);
    if (error) return;
  }
  out.clear();
  error = translator->on_end(out);
  FUZZ_CHECK(out.empty());
  FUZZ_CHECK(error || finished);
}

void answers(std::string_view body) {
  auto answer = gemini_answer_from_chat(body, "m");
  if (auto* text = std::get_if<std::string>(&answer)) check_response(*text);
  for (bool batch : {false, true}) {
    auto embeddings = gemini_embeddings_from_openai(body, batch);
    if (auto* text = std::get_if<std::string>(&embeddings)) FUZZ_CHECK(json_object(*text));
  }
  auto list = openai_embeddings_from_gemini(body, "m");
  if (auto* text = std::get_if<std::string>(&list)) FUZZ_CHECK(json_object(*text));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  if (auto body = json_object(input)) requests(*body);
  answers(input);
  stream(parse_sse_events(input));             // a chat stream
  stream({SseEvent{"", std::string(input)}});  // one chunk, then the end
  stream({SseEvent{"", std::string(input)}, SseEvent{"", "[DONE]"}});
  return 0;
}
