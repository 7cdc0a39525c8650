// Chat answers (as every adapter hands them out) reaching Responses API clients: the response
// object, its event stream, and Anthropic's signed thinking carried through encrypted_content and
// back.
#include "translate/responses_answer.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>

#include "fixtures.h"
#include "translate/anthropic_request.h"
#include "translate/anthropic_response.h"
#include "translate/gemini_request.h"
#include "translate/gemini_response.h"
#include "translate/json_parse.h"
#include "translate/reasoning_token.h"
#include "translate/responses_request.h"
#include "translate/sse_events.h"
#include "translate/sse_splitter.h"

using namespace switchyard;
namespace json = boost::json;

namespace {

constexpr int64_t kCreatedAt = 1764619201;
const std::string kAnswerId = "msg_01XFDUDYJgAACzvnptvVoYEL";

json::object shell_of(std::string_view request) { return response_shell(json::parse(request).as_object()); }

json::object tools_shell() { return shell_of(fixture("responses/request_tools.json")); }

json::object answer_of(std::string_view completion, const json::object& shell) {
  auto result = response_from_chat(completion, shell, kCreatedAt);
  if (auto* error = std::get_if<Error>(&result)) {
    ADD_FAILURE() << error->message;
    return {};
  }
  return json::parse(std::get<std::string>(result)).as_object();
}

struct Event {
  std::string name;
  json::object data;
};

// Every event a translator wrote; each names its type in its `event:` line.
std::vector<Event> events_of(const std::string& out) {
  std::vector<Event> events;
  for (auto& event : parse_sse_events(out)) {
    auto data = json::parse(event.data).as_object();
    EXPECT_EQ(data.at("type").as_string(), event.name) << event.data;
    events.push_back({event.name, std::move(data)});
  }
  return events;
}

std::vector<std::string> names_of(const std::vector<Event>& events) {
  std::vector<std::string> names;
  for (const auto& event : events) names.push_back(event.name);
  return names;
}

// Everything `translator` writes for the SSE `transcript`, fed in pieces of `step` bytes.
std::pair<std::string, std::optional<Error>> run(StreamTranslator& translator, std::string_view transcript,
                                                 std::size_t step = 1 << 20) {
  SseSplitter splitter;
  std::string out;
  for (std::size_t i = 0; i < transcript.size(); i += step)
    for (const auto& event : parse_sse_events(splitter.feed(transcript.substr(i, step))))
      if (auto error = translator.on_event(event, out)) return {out, error};
  auto end = translator.on_end(out);
  return {out, end};
}

// The item an event is about: its item_id, or the id of the item it carries; empty for neither.
std::string item_of(const json::object& event) {
  if (auto* id = event.if_contains("item_id")) return std::string(id->as_string());
  if (auto* item = event.if_contains("item")) return std::string(item->at("id").as_string());
  return "";
}

ReasoningToken token_of(std::string text, std::string signature) {
  ReasoningToken token;
  token.text = std::move(text);
  token.signature = std::move(signature);
  return token;
}

// One chat.completion.chunk event with `delta` (JSON) and a finish reason.
std::string chunk_event(std::string_view delta, std::string_view finish_reason = "null") {
  return "data: {\"id\":\"chatcmpl-7\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
         "\"choices\":[{\"index\":0,\"delta\":" +
         std::string(delta) + ",\"finish_reason\":" + std::string(finish_reason) + "}]}\n\n";
}

// The request's output items fed back as the next request's input (as the SDKs and Codex do),
// then the tool's answer.
json::object follow_up(const json::array& output, std::string_view call_id, std::string_view tool_output) {
  json::array input{json::object{{"role", "user"}, {"content", "What's the weather in San Francisco?"}}};
  for (const auto& item : output) input.push_back(item);
  input.push_back(json::object{{"type", "function_call_output"}, {"call_id", call_id}, {"output", tool_output}});
  return json::object{{"model", "claude"}, {"input", std::move(input)}};
}

}  // namespace

TEST(ResponsesAnswer, AChatCompletionWithReasoningTextAndTwoToolCallsBecomesTheRecordedResponse) {
  auto response = answer_of(fixture("responses/chat_completion_reasoning_tools.json"), tools_shell());
  EXPECT_EQ(response, json::parse(fixture("responses/response_reasoning_tools.json"))) << serialize_json(response);
  EXPECT_EQ(response.begin()->key(), "id");
  // The reasoning item's encrypted_content is this gateway's token over the text and signature.
  auto token = read_reasoning_token(response.at("output").at(0).at("encrypted_content").as_string());
  ASSERT_TRUE(token);
  EXPECT_EQ(token->text, "The user wants Oslo's weather tomorrow and the time there. Two tools, one call each.");
  EXPECT_EQ(token->signature, "ErUBCkYIBxgCIkB9fMvPq1mJc0N3lX2rHc8vQ5x9ZsKt7yWb4EUd0T2aVnR6oLgF3jS8hPy1ZzMxNwEgDPk5tQ");
}

TEST(ResponsesAnswer, AnAnswerCutByTheTokenLimitIsIncomplete) {
  auto response = answer_of(R"({"id":"chatcmpl-9","object":"chat.completion","choices":[{"index":0,
      "message":{"role":"assistant","content":"The forecast for Oslo is"},"finish_reason":"length"}],
      "usage":{"prompt_tokens":30,"completion_tokens":16,"total_tokens":46}})",
                            shell_of(R"({"model":"m","input":"x","max_output_tokens":16})"));
  EXPECT_EQ(response.at("status"), "incomplete");
  EXPECT_EQ(response.at("incomplete_details"), json::parse(R"({"reason":"max_output_tokens"})"));
  EXPECT_EQ(response.at("max_output_tokens"), 16);
  EXPECT_TRUE(response.at("error").is_null());
  const auto& output = response.at("output").as_array();
  ASSERT_EQ(output.size(), 1u);
  // The message the limit cut short is incomplete too, as OpenAI marks it.
  EXPECT_EQ(output[0].at("status"), "incomplete");
  EXPECT_EQ(output[0].at("content").at(0).at("text"), "The forecast for Oslo is");
  EXPECT_EQ(response.at("usage"), json::parse(R"({"input_tokens":30,"input_tokens_details":{"cached_tokens":0},
      "output_tokens":16,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":46})"));

  auto filtered = answer_of(R"({"id":"chatcmpl-10","choices":[{"index":0,"message":{"role":"assistant",
      "content":"I can"},"finish_reason":"content_filter"}]})",
                            shell_of(R"({"model":"m","input":"x"})"));
  EXPECT_EQ(filtered.at("status"), "incomplete");
  EXPECT_EQ(filtered.at("incomplete_details"), json::parse(R"({"reason":"content_filter"})"));
  // Without usage in the answer the usage is unknown (null), never a made-up zero that would
  // make the request look free.
  EXPECT_TRUE(filtered.at("usage").is_null());
}

TEST(ResponsesAnswer, ACallOfACustomToolIsACustomToolCallWithItsInput) {
  auto shell = shell_of(R"({"model":"m","input":"x","tools":[
      {"type":"custom","name":"apply_patch","description":"Edit files.","format":{"type":"grammar","syntax":"lark","definition":"start: /.+/"}},
      {"type":"function","name":"exec_command","parameters":{"type":"object"}}]})");
  auto response = answer_of(R"({"id":"chatcmpl-3","choices":[{"index":0,"message":{"role":"assistant","content":null,
      "tool_calls":[
        {"id":"call_7","type":"function","function":{"name":"apply_patch","arguments":"{\"input\":\"*** Begin Patch\\n*** Add File: a.txt\\n+hi\\n*** End Patch\\n\"}"}},
        {"id":"call_8","type":"function","function":{"name":"apply_patch","arguments":"*** Begin Patch"}},
        {"id":"call_9","type":"function","function":{"name":"exec_command","arguments":""}}]},
      "finish_reason":"tool_calls"}]})",
                            shell);
  EXPECT_EQ(response.at("output"), json::parse(R"([
      {"type":"custom_tool_call","id":"fc_chatcmpl-3_0","call_id":"call_7","name":"apply_patch",
       "input":"*** Begin Patch\n*** Add File: a.txt\n+hi\n*** End Patch\n","status":"completed"},
      {"type":"custom_tool_call","id":"fc_chatcmpl-3_1","call_id":"call_8","name":"apply_patch",
       "input":"*** Begin Patch","status":"completed"},
      {"type":"function_call","id":"fc_chatcmpl-3_2","call_id":"call_9","name":"exec_command","arguments":"{}",
       "status":"completed"}])"));
  EXPECT_EQ(response.at("status"), "completed");
  // Fed back, the custom call and its output go to a chat provider as a function call taking {"input"}.
  auto fed_back = chat_from_responses(json::parse(R"({"model":"m","input":[
      {"type":"custom_tool_call","call_id":"call_7","name":"apply_patch","input":"*** Begin Patch\n"},
      {"type":"custom_tool_call_output","call_id":"call_7","output":"Done."}]})")
                                          .as_object());
  const auto& chat = std::get<ChatFromResponses>(fed_back).chat;
  EXPECT_EQ(json::parse(chat.at("messages").at(0).at("tool_calls").at(0).at("function").at("arguments").as_string()),
            json::parse(R"({"input":"*** Begin Patch\n"})"));
}

TEST(ResponsesAnswer, AnAnswerThatIsNotAChatCompletionIsAnError) {
  auto shell = shell_of(R"({"model":"m","input":"x"})");
  for (const char* body : {"", "not json", "[]", R"({"choices":[]})", R"({"choices":[7]})", R"({"choices":{}})"}) {
    auto result = response_from_chat(body, shell, 1);
    ASSERT_TRUE(std::holds_alternative<Error>(result)) << body;
    EXPECT_EQ(std::get<Error>(result).kind, ErrorKind::upstream_failed) << body;
  }
}

TEST(ResponsesStream, ARecordedChunkStreamBecomesTheResponsesEventSequence) {
  const std::string rs = "rs_" + kAnswerId + "_0", msg = "msg_" + kAnswerId + "_1", fc1 = "fc_" + kAnswerId + "_2",
                    fc2 = "fc_" + kAnswerId + "_3";
  struct Expected {
    std::string name, item;
    int64_t output_index;  // -1: the event has none
  };
  const std::vector<Expected> expected{
      {"response.created", "", -1},
      {"response.in_progress", "", -1},
      {"response.output_item.added", rs, 0},
      {"response.reasoning_summary_part.added", rs, 0},
      {"response.reasoning_summary_text.delta", rs, 0},
      {"response.reasoning_summary_text.delta", rs, 0},
      {"response.reasoning_summary_text.done", rs, 0},
      {"response.reasoning_summary_part.done", rs, 0},
      {"response.output_item.done", rs, 0},
      {"response.output_item.added", msg, 1},
      {"response.content_part.added", msg, 1},
      {"response.output_text.delta", msg, 1},
      {"response.output_text.delta", msg, 1},
      {"response.output_text.done", msg, 1},
      {"response.content_part.done", msg, 1},
      {"response.output_item.done", msg, 1},
      {"response.output_item.added", fc1, 2},
      {"response.function_call_arguments.delta", fc1, 2},
      {"response.function_call_arguments.delta", fc1, 2},
      {"response.function_call_arguments.done", fc1, 2},
      {"response.output_item.done", fc1, 2},
      {"response.output_item.added", fc2, 3},
      {"response.function_call_arguments.delta", fc2, 3},
      {"response.function_call_arguments.done", fc2, 3},
      {"response.output_item.done", fc2, 3},
      {"response.completed", "", -1},
  };
  const auto whole = answer_of(fixture("responses/chat_completion_reasoning_tools.json"), tools_shell());
  std::string first_out;
  for (std::size_t step : {1u, 7u, 1u << 20}) {
    auto translator = responses_stream_from_chat(tools_shell(), kCreatedAt);
    auto [out, error] = run(*translator, fixture("responses/chat_stream_reasoning_tools.sse"), step);
    ASSERT_FALSE(error) << error->message;
    if (first_out.empty()) first_out = out;
    EXPECT_EQ(out, first_out) << "the events do not depend on how the upstream bytes arrive (step " << step << ")";
  }
  auto events = events_of(first_out);
  ASSERT_EQ(events.size(), expected.size()) << first_out;
  std::map<std::string, std::string> deltas;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const auto& [name, data] = events[i];
    SCOPED_TRACE(testing::Message() << "event " << i << ": " << serialize_json(data));
    EXPECT_EQ(name, expected[i].name);
    EXPECT_EQ(data.at("sequence_number"), static_cast<int64_t>(i));  // 0..n, one step at a time
    EXPECT_EQ(item_of(data), expected[i].item);
    if (expected[i].output_index >= 0) {
      EXPECT_EQ(data.at("output_index"), expected[i].output_index);
    } else {
      EXPECT_FALSE(data.contains("output_index"));
    }
    // What the deltas spell is what the .done event says.
    if (auto* delta = data.if_contains("delta")) deltas[item_of(data)] += delta->as_string();
    if (name == "response.reasoning_summary_text.done" || name == "response.output_text.done") {
      EXPECT_EQ(data.at("text").as_string(), deltas[item_of(data)]);
    }
    if (name == "response.function_call_arguments.done") {
      EXPECT_EQ(data.at("arguments").as_string(), deltas[item_of(data)]);
    }
    // The finished item is the one the final response holds.
    if (name == "response.output_item.done") {
      EXPECT_EQ(data.at("item"), whole.at("output").at(data.at("output_index").as_int64()));
    }
  }
  // The response as it starts: the request's echo, in progress, nothing answered yet.
  const auto& created = events[0].data.at("response").as_object();
  EXPECT_EQ(created.at("id").as_string(), kAnswerId);
  EXPECT_EQ(created.at("status"), "in_progress");
  EXPECT_EQ(created.at("output"), json::array{});
  EXPECT_TRUE(created.at("usage").is_null());
  EXPECT_TRUE(created.at("completed_at").is_null());
  EXPECT_EQ(created.at("tools"), whole.at("tools"));
  EXPECT_EQ(events[1].data.at("response"), created);
  // Added items start empty and in progress.
  EXPECT_EQ(events[2].data.at("item"), json::parse(R"({"type":"reasoning","id":")" + rs + R"(","summary":[]})"));
  EXPECT_EQ(events[9].data.at("item").at("status"), "in_progress");
  EXPECT_EQ(events[9].data.at("item").at("content"), json::array{});
  EXPECT_EQ(events[16].data.at("item"),
            json::parse(R"({"type":"function_call","id":")" + fc1 + R"(","call_id":"toolu_01Wx9kLm3",
                            "name":"get_forecast","arguments":"","status":"in_progress"})"));
  // The stream ends with the very response a non-streamed request gets.
  EXPECT_EQ(events.back().data.at("response"), whole);
}

TEST(ResponsesStream, AnAnswerCutByTheTokenLimitEndsWithResponseIncomplete) {
  auto translator = responses_stream_from_chat(shell_of(R"({"model":"m","input":"x"})"), kCreatedAt);
  auto [out, error] = run(*translator, chunk_event(R"({"content":"The forecast for Oslo is"})") +
                                           chunk_event("{}", R"("length")") + "data: [DONE]\n\n");
  ASSERT_FALSE(error);
  auto events = events_of(out);
  ASSERT_FALSE(events.empty());
  const auto& last = events.back();
  EXPECT_EQ(last.name, "response.incomplete");
  EXPECT_EQ(last.data.at("response").at("status"), "incomplete");
  EXPECT_EQ(last.data.at("response").at("incomplete_details"), json::parse(R"({"reason":"max_output_tokens"})"));
  EXPECT_EQ(last.data.at("response").at("output").at(0).at("status"), "incomplete");
  EXPECT_EQ(events[events.size() - 2].data.at("item").at("status"), "incomplete");  // its output_item.done
}

TEST(ResponsesStream, ACustomToolCallStreamsUnderItsItemsOwnId) {
  auto translator = responses_stream_from_chat(
      shell_of(R"({"model":"m","input":"x","tools":[{"type":"custom","name":"apply_patch"}]})"), kCreatedAt);
  auto [out, error] = run(
      *translator,
      chunk_event(
          R"({"tool_calls":[{"index":0,"id":"call_7","type":"function","function":{"name":"apply_patch","arguments":""}}]})") +
          chunk_event(R"({"tool_calls":[{"index":0,"function":{"arguments":"{\"input\":\"*** Begin"}}]})") +
          chunk_event(R"({"tool_calls":[{"index":0,"function":{"arguments":" Patch\\n\"}"}}]})") +
          chunk_event("{}", R"("tool_calls")") + "data: [DONE]\n\n");
  ASSERT_FALSE(error);
  auto events = events_of(out);
  std::vector<std::string> items;
  for (const auto& event : events)
    if (auto item = item_of(event.data); !item.empty()) items.push_back(item);
  // Every event about the call names the item as the item calls itself.
  EXPECT_EQ(items, std::vector<std::string>(items.size(), "fc_chatcmpl-7_0")) << out;
  EXPECT_EQ(events.back().data.at("response").at("output"),
            json::parse(R"([{"type":"custom_tool_call","id":"fc_chatcmpl-7_0","call_id":"call_7","name":"apply_patch",
                             "input":"*** Begin Patch\n","status":"completed"}])"));
}

TEST(ResponsesStream, AFailureAfterPartialTextClosesTheMessageIncompleteThenFails) {
  auto translator = responses_stream_from_chat(tools_shell(), kCreatedAt);
  std::string out;
  auto upstream = parse_sse_events(fixture("responses/chat_stream_reasoning_tools.sse"));
  for (std::size_t i = 0; i < 5; ++i) ASSERT_FALSE(translator->on_event(upstream[i], out));  // up to the first words
  Error failure = make_error(ErrorKind::upstream_failed, "the provider failed in the middle of its answer");
  ASSERT_TRUE(translator->write_error(failure, out));
  auto events = events_of(out);
  for (std::size_t i = 0; i < events.size(); ++i) EXPECT_EQ(events[i].data.at("sequence_number"), int64_t(i));
  ASSERT_GE(events.size(), 16u) << out;
  auto names = names_of(events);
  EXPECT_EQ(std::vector<std::string>(names.begin() + 11, names.begin() + 16),
            (std::vector<std::string>{"response.output_text.delta", "response.output_text.done",
                                      "response.content_part.done", "response.output_item.done", "response.failed"}));
  const auto& cut = events[14].data.at("item");
  EXPECT_EQ(cut.at("id").as_string(), "msg_" + kAnswerId + "_1");
  EXPECT_EQ(cut.at("status"), "incomplete");
  EXPECT_EQ(cut.at("content").at(0).at("text"), "I'll look up the forecast");
  const auto& failed = events[15].data.at("response").as_object();
  EXPECT_EQ(failed.at("id").as_string(), kAnswerId);
  EXPECT_EQ(failed.at("status"), "failed");
  EXPECT_EQ(failed.at("error"),
            json::parse(R"({"code":"upstream_error","message":"the provider failed in the middle of its answer"})"));
  // What was finished stays in the output: the signed reasoning and the cut message.
  ASSERT_EQ(failed.at("output").as_array().size(), 2u);
  EXPECT_TRUE(read_reasoning_token(failed.at("output").at(0).at("encrypted_content").as_string()));
  EXPECT_EQ(failed.at("output").at(1), cut);
  // Then the `error` event that the SDKs raise on, the same failure.
  ASSERT_EQ(events.size(), 17u);
  EXPECT_EQ(events[16].name, "error");
  EXPECT_EQ(
      events[16].data.at("error"),
      json::parse(
          R"({"type":")" + std::string(openai_error_type(failure.kind)) +
          R"(","code":"upstream_error","message":"the provider failed in the middle of its answer","param":null})"));
}

TEST(ResponsesStream, AFailureBeforeAnyEventIsLeftToTheStatelessErrorEvent) {
  auto translator = responses_stream_from_chat(tools_shell(), kCreatedAt);
  std::string out;
  EXPECT_FALSE(translator->write_error(make_error(ErrorKind::upstream_timeout, "no first byte"), out));
  EXPECT_EQ(out, "");
  // ... which is OpenAI's `error` event, every member present.
  Error error = make_error(ErrorKind::upstream_timeout, "no first byte");
  EXPECT_EQ(responses_error_event(error, 0),
            "event: error\ndata: "
            R"({"type":"error","sequence_number":0,"error":{"type":")" +
                std::string(openai_error_type(error.kind)) +
                R"(","code":"upstream_timeout","message":"no first byte","param":null}})"
                "\n\n");
}

TEST(ResponsesStream, AStreamThatEndsWithoutDoneIsAnError) {
  std::string transcript = fixture("responses/chat_stream_reasoning_tools.sse");
  transcript.erase(transcript.find("data: [DONE]"));
  auto translator = responses_stream_from_chat(tools_shell(), kCreatedAt);
  auto [out, error] = run(*translator, transcript);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->kind, ErrorKind::upstream_failed);
  EXPECT_EQ(error->message, "the provider's stream ended before [DONE]");
  EXPECT_EQ(out.find("response.completed"), std::string::npos);
}

TEST(ResponsesStream, AnErrorTheProviderReportsOrAnUnreadableEventEndsTheStream) {
  auto translator = responses_stream_from_chat(tools_shell(), kCreatedAt);
  auto [out, error] = run(*translator, chunk_event(R"({"content":"Hi"})") +
                                           R"(data: {"error":{"message":"Overloaded","type":"overloaded_error"}})"
                                           "\n\n");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->message, "provider error in stream: Overloaded");
  for (const char* data : {"{not json", "[1]", R"({"choices":[7]})"}) {
    auto fresh = responses_stream_from_chat(tools_shell(), kCreatedAt);
    std::string ignored;
    auto bad = fresh->on_event(SseEvent{"", data}, ignored);
    ASSERT_TRUE(bad) << data;
    EXPECT_EQ(bad->kind, ErrorKind::upstream_failed) << data;
  }
}

TEST(ResponsesStream, APassThroughKeepsCountForItsErrorEvent) {
  auto translator = responses_stream_passthrough();
  std::string out;
  const std::string created = R"({"type":"response.created","sequence_number":0,"response":{}})";
  const std::string delta =
      R"({"type":"response.output_text.delta","sequence_number":7,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"Hi"})";
  ASSERT_FALSE(translator->on_event(SseEvent{"response.created", created}, out));
  ASSERT_FALSE(translator->on_event(SseEvent{"response.output_text.delta", delta}, out));
  EXPECT_EQ(out, "event: response.created\ndata: " + created + "\n\nevent: response.output_text.delta\ndata: " + delta +
                     "\n\n");
  std::string tail;
  ASSERT_TRUE(translator->write_error(make_error(ErrorKind::upstream_failed, "cut"), tail));
  auto events = events_of(tail);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].name, "error");
  EXPECT_EQ(events[0].data.at("sequence_number"), 8);
  EXPECT_EQ(events[0].data.at("error").at("message"), "cut");
  // A number no stream reaches is relayed but not counted on (the count must not overflow).
  std::string huge = R"({"type":"response.output_text.delta","sequence_number":9223372036854775807})";
  ASSERT_FALSE(translator->on_event(SseEvent{"response.output_text.delta", huge}, out));
  std::string last;
  ASSERT_TRUE(translator->write_error(make_error(ErrorKind::upstream_failed, "cut"), last));
  EXPECT_EQ(events_of(last).at(0).data.at("sequence_number"), 9);
}

TEST(ResponsesReasoningToken, RoundTripsTextAndSignatureExactly) {
  ReasoningToken token = token_of("Line one.\nLine \"two\" \xC3\xA9\xE2\x9C\x93 \\ done.", "EqQBCkYIBxgCKkDz+/==");
  std::string written = write_reasoning_token(token);
  EXPECT_TRUE(written.starts_with("swy1:")) << written;
  auto read = read_reasoning_token(written);
  ASSERT_TRUE(read);
  EXPECT_EQ(read->text, token.text);
  EXPECT_EQ(read->signature, token.signature);
  // Redacted thinking: a signature over no text still goes back.
  auto bare = read_reasoning_token(write_reasoning_token(token_of("", "sig")));
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->text, "");
  EXPECT_EQ(bare->signature, "sig");
}

TEST(ResponsesReasoningToken, AForeignOrDamagedTokenIsNotRead) {
  std::string good = write_reasoning_token(token_of("thinking", "sig"));
  for (std::string text :
       {std::string(""), std::string("gAAAAABpL3x0-openai-encrypted-reasoning"), std::string("swy1:"),
        std::string("swy1:not json"), std::string("swy1:[\"thinking\"]"), std::string("swy2:") + good.substr(5),
        std::string("SWY1:") + good.substr(5), std::string(" ") + good, good.substr(0, good.size() - 1),
        std::string(R"(swy1:{"text":"thinking"})"), std::string(R"(swy1:{"text":"thinking","signature":""})"),
        std::string(R"(swy1:{"text":"thinking","signature":7})")})
    EXPECT_FALSE(read_reasoning_token(text)) << text;
}

TEST(ResponsesRoundTrip, AnthropicThinkingGoesBackSignedAndFirst) {
  // Anthropic -> chat (with reasoning_signature) -> a response whose reasoning item carries it.
  const std::string anthropic_body = fixture("anthropic/response_tool_use.json");
  auto chat = openai_response_from_anthropic(anthropic_body, 1);
  ASSERT_TRUE(std::holds_alternative<std::string>(chat)) << std::get<Error>(chat).message;
  const std::string tools =
      R"([{"type":"function","name":"get_weather","parameters":{"type":"object","properties":{"location":{"type":"string"},"unit":{"type":"string"}}}}])";
  auto response =
      answer_of(std::get<std::string>(chat), shell_of(R"({"model":"claude","input":"x","tools":)" + tools + "}"));
  const auto& output = response.at("output").as_array();
  ASSERT_EQ(output.size(), 3u) << serialize_json(output);
  EXPECT_EQ(output[0].at("type"), "reasoning");
  EXPECT_EQ(output[0].at("summary"), json::parse(R"([{"type":"summary_text","text":"The user wants the weather."}])"));

  // The client sends the output back with the tool's answer -> chat: one assistant message with
  // the signed reasoning, the text and the call.
  auto request = follow_up(output, "toolu_01A09q90qw90lq917835lq9", R"({"temperature_c":18})");
  request["tools"] = json::parse(tools);
  request["reasoning"] = json::parse(R"({"effort":"low"})");
  auto translated = chat_from_responses(request);
  ASSERT_TRUE(std::holds_alternative<ChatFromResponses>(translated)) << std::get<Error>(translated).message;
  const auto& next = std::get<ChatFromResponses>(translated).chat;
  const auto& assistant = next.at("messages").at(1).as_object();
  EXPECT_EQ(assistant.at("role"), "assistant");
  EXPECT_EQ(assistant.at("reasoning"), "The user wants the weather.");
  EXPECT_EQ(assistant.at("reasoning_signature"), "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds");
  EXPECT_EQ(assistant.at("content"), "I'll check the weather in San Francisco.");

  // -> Anthropic: the assistant turn is the very content Anthropic answered, thinking first.
  auto anthropic = anthropic_request_from_openai(next, "claude-sonnet-4-5");
  ASSERT_TRUE(std::holds_alternative<json::object>(anthropic)) << std::get<Error>(anthropic).message;
  const auto& messages = std::get<json::object>(anthropic).at("messages").as_array();
  ASSERT_EQ(messages.size(), 3u) << serialize_json(messages);
  EXPECT_EQ(messages[1].at("role"), "assistant");
  EXPECT_EQ(messages[1].at("content"), json::parse(anthropic_body).at("content"));
  EXPECT_EQ(messages[2].at("content"),
            json::parse(R"([{"type":"tool_result","tool_use_id":"toolu_01A09q90qw90lq917835lq9",
                             "content":"{\"temperature_c\":18}"}])"));
}

TEST(ResponsesRoundTrip, StreamedAnthropicThinkingGoesBackSignedAndFirst) {
  // An Anthropic stream -> chat chunks (reasoning, then reasoning_signature) -> Responses events.
  auto to_chat = openai_stream_from_anthropic(1, true);
  auto [chunks, chat_error] = run(*to_chat, fixture("responses/anthropic_stream_thinking.sse"), 13);
  ASSERT_FALSE(chat_error) << chat_error->message;
  auto to_responses = responses_stream_from_chat(shell_of(R"({"model":"claude","input":"x"})"), kCreatedAt);
  auto [out, error] = run(*to_responses, chunks);
  ASSERT_FALSE(error) << error->message;
  auto events = events_of(out);
  ASSERT_FALSE(events.empty());
  ASSERT_EQ(events.back().name, "response.completed");
  const auto& response = events.back().data.at("response").as_object();
  EXPECT_EQ(response.at("id"), "msg_01Hq3Vd8cKx2uYpE7Ww4Rt9n");
  const auto& output = response.at("output").as_array();
  ASSERT_EQ(output.size(), 2u) << serialize_json(output);
  // The same token a non-streamed answer gives, as Codex sends it back (request_codex.json).
  const auto codex = json::parse(fixture("responses/request_codex.json"));
  EXPECT_EQ(output[0].at("encrypted_content"), codex.at("input").at(3).at("encrypted_content"));
  EXPECT_EQ(json::parse(output[1].at("arguments").as_string()), json::parse(R"({"cmd":"ls tests/unit | wc -l"})"));
  EXPECT_EQ(response.at("usage").at("input_tokens"), 1210);
  EXPECT_EQ(response.at("usage").at("output_tokens"), 74);

  auto next = chat_from_responses(follow_up(output, "toolu_01Xk7pZ3", "11\n"));
  ASSERT_TRUE(std::holds_alternative<ChatFromResponses>(next)) << std::get<Error>(next).message;
  auto anthropic = anthropic_request_from_openai(std::get<ChatFromResponses>(next).chat, "claude-sonnet-4-5");
  ASSERT_TRUE(std::holds_alternative<json::object>(anthropic)) << std::get<Error>(anthropic).message;
  EXPECT_EQ(std::get<json::object>(anthropic).at("messages").at(1).at("content"), json::parse(R"([
      {"type":"thinking","thinking":"I should list the directory first.",
       "signature":"EqQBCkYIBxgCKkDz0V2fbYx1QeAdJ3W8hq6mQ2p1bPc5SnJ4Kk8rDtRtG0bT1cKnlGgEhDx2m"},
      {"type":"tool_use","id":"toolu_01Xk7pZ3","name":"exec_command","input":{"cmd":"ls tests/unit | wc -l"}}])"));
}

TEST(ResponsesRoundTrip, GeminiCallSignaturesGoBackOnTheirCalls) {
  // Gemini 3 signs its function calls, and wants each signature back on its call.
  const std::string gemini_body = R"({"candidates":[{"content":{"role":"model","parts":[
      {"text":"Paris, then.","thought":true},
      {"functionCall":{"name":"get_weather","args":{"location":"Paris"}},"thoughtSignature":"CiQBjz1rX2Vw"}]},
      "finishReason":"STOP","index":0}],
      "usageMetadata":{"promptTokenCount":20,"candidatesTokenCount":5,"totalTokenCount":25},
      "modelVersion":"gemini-3-pro-preview","responseId":"gem_1"})";
  auto chat = openai_response_from_gemini(gemini_body, 1);
  ASSERT_TRUE(std::holds_alternative<std::string>(chat)) << std::get<Error>(chat).message;
  auto shell = shell_of(R"({"model":"gemini","input":"x","tools":[{"type":"function","name":"get_weather"}]})");
  auto response = answer_of(std::get<std::string>(chat), shell);
  const auto& output = response.at("output").as_array();
  // The thought summary (unsigned: nothing to send back), the call, then a reasoning item that
  // carries the call's signature.
  ASSERT_EQ(output.size(), 3u) << serialize_json(output);
  EXPECT_EQ(output[0].at("type"), "reasoning");
  EXPECT_FALSE(output[0].as_object().contains("encrypted_content"));
  EXPECT_EQ(output[1].at("type"), "function_call");
  EXPECT_EQ(output[2].at("type"), "reasoning");
  auto token = read_reasoning_token(output[2].at("encrypted_content").as_string());
  ASSERT_TRUE(token);
  const auto call_id = std::string(output[1].at("call_id").as_string());
  EXPECT_EQ(token->call_signatures, (std::vector<std::pair<std::string, std::string>>{{call_id, "CiQBjz1rX2Vw"}}));

  // The streamed answer ends with the same output.
  auto translator = responses_stream_from_chat(shell, kCreatedAt);
  auto [gemini_chunks, gemini_error] =
      run(*openai_stream_from_gemini(1, true), "data: " + json::serialize(json::parse(gemini_body)) + "\r\n\r\n");
  ASSERT_FALSE(gemini_error) << gemini_error->message;
  auto [out, error] = run(*translator, gemini_chunks);
  ASSERT_FALSE(error) << error->message;
  EXPECT_EQ(events_of(out).back().data.at("response").at("output"), response.at("output"));

  // Sent back, the signature is on its call again.
  auto next = chat_from_responses(follow_up(output, call_id, R"({"temperature_c":21})"));
  ASSERT_TRUE(std::holds_alternative<ChatFromResponses>(next)) << std::get<Error>(next).message;
  auto gemini = gemini_request_from_openai(std::get<ChatFromResponses>(next).chat);
  ASSERT_TRUE(std::holds_alternative<json::object>(gemini)) << std::get<Error>(gemini).message;
  const auto& contents = std::get<json::object>(gemini).at("contents").as_array();
  ASSERT_EQ(contents.size(), 3u) << serialize_json(contents);
  EXPECT_EQ(contents[1].at("parts"), json::parse(R"([{"functionCall":{"name":"get_weather","args":{"location":"Paris"}},
                                                     "thoughtSignature":"CiQBjz1rX2Vw"}])"));
}

TEST(ResponsesAnswer, TheGatewaysIdNamesTheResponseAndItsItems) {
  // The pipeline puts the generation id in the shell: the response and its items are named by it
  // (so that an item_reference finds its response), not by the provider's answer id.
  auto shell = tools_shell();
  shell["id"] = "gen_01KAV3C8Y2Q6X4M9TNZ0R5B7C0";
  auto response = answer_of(fixture("responses/chat_completion_reasoning_tools.json"), shell);
  EXPECT_EQ(response.at("id"), "gen_01KAV3C8Y2Q6X4M9TNZ0R5B7C0");
  std::vector<std::string> ids;
  for (const auto& item : response.at("output").as_array()) ids.emplace_back(item.at("id").as_string());
  EXPECT_EQ(ids,
            (std::vector<std::string>{"rs_gen_01KAV3C8Y2Q6X4M9TNZ0R5B7C0_0", "msg_gen_01KAV3C8Y2Q6X4M9TNZ0R5B7C0_1",
                                      "fc_gen_01KAV3C8Y2Q6X4M9TNZ0R5B7C0_2", "fc_gen_01KAV3C8Y2Q6X4M9TNZ0R5B7C0_3"}));
  auto translator = responses_stream_from_chat(shell, kCreatedAt);
  auto [out, error] = run(*translator, fixture("responses/chat_stream_reasoning_tools.sse"));
  ASSERT_FALSE(error);
  auto events = events_of(out);
  EXPECT_EQ(events.front().data.at("response").at("id"), "gen_01KAV3C8Y2Q6X4M9TNZ0R5B7C0");
  EXPECT_EQ(events.back().data.at("response"), response);
}

TEST(ResponsesStream, NothingFollowsTheCompletedResponse) {
  auto translator = responses_stream_from_chat(shell_of(R"({"model":"m","input":"x"})"), kCreatedAt);
  auto [out, error] = run(*translator, chunk_event(R"({"content":"Hi"})", "\"stop\"") + "data: [DONE]\n\n");
  ASSERT_FALSE(error);
  std::string after;
  EXPECT_FALSE(translator->on_event({"", "[DONE]"}, after));
  std::string more = chunk_event(R"({"content":"more"})");
  EXPECT_FALSE(translator->on_event({"", more.substr(6, more.size() - 8)}, after));
  // A read that fails after the answer was complete adds nothing either: no response.failed.
  EXPECT_TRUE(translator->write_error(make_error(ErrorKind::upstream_failed, "reset"), after));
  EXPECT_EQ(after, "");
  EXPECT_EQ(names_of(events_of(out)).back(), "response.completed");
}

TEST(ResponsesStream, EachSignedThinkingBlockIsAReasoningItemOfItsOwn) {
  // Interleaved thinking: two blocks, each with its own signature (Anthropic checks each).
  auto delta = [](std::string_view fields) {
    return std::string("data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":") + std::string(fields) +
           ",\"finish_reason\":null}]}\n\n";
  };
  std::string transcript = delta(R"({"reasoning":"first"})") + delta(R"({"reasoning_signature":"sig-1"})") +
                           delta(R"({"reasoning":"second"})") + delta(R"({"reasoning_signature":"sig-2"})") +
                           chunk_event(R"({"content":"done"})", "\"stop\"") + "data: [DONE]\n\n";
  auto translator = responses_stream_from_chat(shell_of(R"({"model":"m","input":"x"})"), kCreatedAt);
  auto [out, error] = run(*translator, transcript);
  ASSERT_FALSE(error);
  const auto events = events_of(out);
  const auto& output = events.back().data.at("response").at("output").as_array();
  ASSERT_EQ(output.size(), 3u);
  auto token = [&](std::size_t i) { return read_reasoning_token(output[i].at("encrypted_content").as_string()); };
  ASSERT_TRUE(token(0) && token(1));
  EXPECT_EQ(token(0)->text, "first");
  EXPECT_EQ(token(0)->signature, "sig-1");
  EXPECT_EQ(token(1)->text, "second");
  EXPECT_EQ(token(1)->signature, "sig-2");
}

TEST(ResponsesStream, APassThroughThatEndsWithoutItsFinalEventIsCutShort) {
  auto translator = responses_stream_passthrough();
  std::string out;
  EXPECT_FALSE(translator->on_event({"response.created", R"({"type":"response.created","sequence_number":0})"}, out));
  EXPECT_TRUE(translator->on_end(out)) << "a clean close before response.completed is still a cut answer";
  auto complete = responses_stream_passthrough();
  EXPECT_FALSE(complete->on_event({"", R"({"type":"response.completed","sequence_number":1})"}, out));
  EXPECT_FALSE(complete->on_end(out));
}

TEST(ResponsesAnswer, ARefusalIsARefusalPartNotAnEmptyAnswer) {
  auto response = answer_of(R"({"id":"c","object":"chat.completion","choices":[{"index":0,
      "message":{"role":"assistant","content":null,"refusal":"I can't help with that."},"finish_reason":"stop"}]})",
                            shell_of(R"({"model":"m","input":"x"})"));
  const auto& output = response.at("output").as_array();
  ASSERT_EQ(output.size(), 1u);
  EXPECT_EQ(output[0].at("content"), json::parse(R"([{"type":"refusal","refusal":"I can't help with that."}])"));
}

TEST(ResponsesStream, ARefusalStreamsAsRefusalEvents) {
  auto translator = responses_stream_from_chat(shell_of(R"({"model":"m","input":"x"})"), kCreatedAt);
  auto [out, error] =
      run(*translator, chunk_event(R"({"refusal":"I can't"})") + chunk_event(R"({"refusal":" help."})") +
                           chunk_event("{}", "\"stop\"") + "data: [DONE]\n\n");
  ASSERT_FALSE(error);
  const auto events = events_of(out);
  EXPECT_EQ(names_of(events),
            (std::vector<std::string>{"response.created", "response.in_progress", "response.output_item.added",
                                      "response.content_part.added", "response.refusal.delta", "response.refusal.delta",
                                      "response.refusal.done", "response.content_part.done",
                                      "response.output_item.done", "response.completed"}));
  EXPECT_EQ(events[6].data.at("refusal"), "I can't help.");
  EXPECT_EQ(events.back().data.at("response").at("output").at(0).at("content"),
            json::parse(R"([{"type":"refusal","refusal":"I can't help."}])"));
}
