#include "translate/anthropic_inbound.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "fixtures.h"
#include "translate/sse_events.h"

using namespace switchyard;
namespace json = boost::json;

TEST(AnthropicInbound, ParsesARecordedAgentRequest) {
  std::string body = fixture("anthropic/messages_request_agent.json");
  auto parsed = parse_messages_request(body);
  ASSERT_TRUE(std::holds_alternative<MessagesRequest>(parsed)) << std::get<Error>(parsed).message;
  const auto& request = std::get<MessagesRequest>(parsed);
  EXPECT_EQ(request.view.model, "sonnet");
  EXPECT_TRUE(request.view.stream);
  // A pass-through changes the model token and not one other byte.
  std::string expected = body;
  expected.replace(expected.find("\"sonnet\""), 8, "\"claude-sonnet-4-5\"");
  EXPECT_EQ(splice_model(body, request.view, "claude-sonnet-4-5"), expected);
}

TEST(AnthropicInbound, RefusesWhatAnthropicRefusesNamingTheField) {
  auto error = [](std::string body) { return std::get<Error>(parse_messages_request(body)).message; };
  EXPECT_EQ(error(R"({"max_tokens":5,"messages":[{"role":"user","content":"x"}]})"),
            "model: Field required (a non-empty string)");
  EXPECT_EQ(error(R"({"model":"m","messages":[{"role":"user","content":"x"}]})"),
            "max_tokens: Field required (a positive whole number)");
  EXPECT_EQ(error(R"({"model":"m","max_tokens":5,"messages":[]})"), "messages: Field required (a non-empty list)");
  EXPECT_EQ(error(R"({"model":"m","max_tokens":5,"messages":[{"role":"tool","content":"x"}]})"),
            "messages.0.role: must be 'user', 'assistant' or 'system'");
  EXPECT_EQ(error(R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":7}]})"),
            "messages.0.content: must be a string or a list of content blocks");
  EXPECT_EQ(error(R"({"model":"m","max_tokens":5,"messages":[{"role":"user"}]})"),
            "messages.0.content: must be a string or a list of content blocks");
  EXPECT_EQ(error("{oops"), "the request body is not valid JSON: syntax error");
}

TEST(AnthropicInbound, TranslatesARecordedAgentRequestToOpenAI) {
  std::string body = fixture("anthropic/messages_request_agent.json");
  auto parsed = std::get<MessagesRequest>(parse_messages_request(body));
  auto openai = openai_request_from_anthropic(parsed.request);
  ASSERT_TRUE(std::holds_alternative<json::object>(openai)) << std::get<Error>(openai).message;
  EXPECT_EQ(std::get<json::object>(openai), json::parse(fixture("openai/request_from_anthropic_agent.json")));
}

TEST(AnthropicInbound, TranslatesARecordedOpenAIAnswerToAMessage) {
  auto result = anthropic_response_from_openai(fixture("openai/response_tool_call.json"), "team/gpt");
  auto message = json::parse(std::get<std::string>(result));
  EXPECT_EQ(message, json::parse(R"({
    "id": "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG", "type": "message", "role": "assistant", "model": "team/gpt",
    "content": [{"type": "text", "text": "Checking."},
                {"type": "tool_use", "id": "call_abc123", "name": "get_weather", "input": {"location": "Boston, MA"}}],
    "stop_reason": "tool_use", "stop_sequence": null,
    "usage": {"input_tokens": 93, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 1024, "output_tokens": 46}})"));
}

TEST(AnthropicInbound, TranslatesARecordedOpenAIStreamToTheAnthropicEventSequence) {
  auto translator = anthropic_stream_from_openai("team/gpt");
  std::string out;
  for (const auto& event : parse_sse_events(fixture("openai/stream_tool_calls.sse")))
    ASSERT_FALSE(translator->on_event(event, out));
  ASSERT_FALSE(translator->on_end(out));

  std::vector<std::string> names;
  std::vector<json::object> data;
  for (const auto& event : parse_sse_events(out)) {
    names.push_back(event.name);
    data.push_back(json::parse(event.data).as_object());
    EXPECT_EQ(data.back().at("type").as_string(), event.name);
  }
  EXPECT_EQ(names,
            (std::vector<std::string>{"message_start", "content_block_start", "content_block_delta",
                                      "content_block_stop", "content_block_start", "content_block_delta",
                                      "content_block_delta", "content_block_stop", "content_block_start",
                                      "content_block_delta", "content_block_stop", "message_delta", "message_stop"}));
  EXPECT_EQ(data[0].at("message").at("model"), "team/gpt");
  EXPECT_EQ(data[2].at("delta"), json::parse(R"({"type":"text_delta","text":"Let me look."})"));
  EXPECT_EQ(data[4].at("content_block"),
            json::parse(R"({"type":"tool_use","id":"call_1","name":"get_weather","input":{}})"));
  EXPECT_EQ(data[4].at("index"), 1);
  EXPECT_EQ(std::string(data[5].at("delta").at("partial_json").as_string()) +
                std::string(data[6].at("delta").at("partial_json").as_string()),
            "{\"location\": \"Paris\"}");
  EXPECT_EQ(data[8].at("content_block").at("name"), "get_time");
  EXPECT_EQ(data[8].at("index"), 2);
  EXPECT_EQ(data[11].at("delta").at("stop_reason"), "tool_use");
  EXPECT_EQ(data[11].at("usage"), json::parse(R"({"input_tokens":44,"cache_creation_input_tokens":0,
                                                   "cache_read_input_tokens":256,"output_tokens":40})"));
}

TEST(AnthropicInbound, AStreamCutBeforeDoneIsAnError) {
  auto translator = anthropic_stream_from_openai("m");
  std::string transcript = fixture("openai/stream_transcript.sse");
  std::string out;
  for (const auto& event : parse_sse_events(transcript.substr(0, transcript.find("data: [DONE]"))))
    translator->on_event(event, out);
  auto error = translator->on_end(out);
  ASSERT_TRUE(error);
  EXPECT_EQ(out.find("message_stop"), std::string::npos);
}

TEST(AnthropicInbound, ErrorsInAnthropicShape) {
  Error e = make_error(ErrorKind::unauthorized, "invalid API key");
  EXPECT_EQ(json::parse(anthropic_error_body(e)),
            json::parse(R"({"type":"error","error":{"type":"authentication_error","message":"invalid API key"}})"));
  EXPECT_EQ(anthropic_error_event(e).substr(0, 20), "event: error\ndata: {");
}

TEST(AnthropicInbound, TakesADeeplyNestedToolSchemaAndRefusesATwiceGivenModel) {
  std::string schema;
  for (int i = 0; i < 40; ++i) schema += R"({"type":"object","properties":{"a":)";
  schema += R"({"type":"string"})";
  for (int i = 0; i < 40; ++i) schema += "}}";
  std::string body = R"({"model":"m","max_tokens":10,"messages":[{"role":"user","content":"hi"}],)"
                     R"("tools":[{"name":"f","input_schema":)" +
                     schema + "}]}";
  auto parsed = parse_messages_request(body);
  ASSERT_TRUE(std::holds_alternative<MessagesRequest>(parsed)) << std::get<Error>(parsed).message;
  EXPECT_TRUE(
      std::holds_alternative<json::object>(openai_request_from_anthropic(std::get<MessagesRequest>(parsed).request)));

  std::string twice = R"({"model":"cheap","max_tokens":10,"messages":[{"role":"user","content":"hi"}],"model":"opus"})";
  auto refused = parse_messages_request(twice);
  ASSERT_TRUE(std::holds_alternative<Error>(refused));
  EXPECT_NE(std::get<Error>(refused).message.find("'model' more than once"), std::string::npos);

  std::string injected = R"({"model":"sim/x\r\nX-A: 1","max_tokens":10,"messages":[{"role":"user","content":"hi"}]})";
  EXPECT_TRUE(std::holds_alternative<Error>(parse_messages_request(injected)));
}

TEST(AnthropicInbound, AMidConversationSystemMessageStaysWhereItStands) {
  // Claude Code 2.1 (beta mid-conversation-system-2026-04-07) sends instructions between turns.
  std::string body = R"({"model":"m","max_tokens":10,"metadata":{"user_id":"user_abc_session_1"},"messages":[
      {"role":"user","content":"hi"},{"role":"assistant","content":"hello"},
      {"role":"system","content":[{"type":"text","text":"Be brief from now on."}]},
      {"role":"user","content":"and now?"}]})";
  auto parsed = parse_messages_request(body);
  ASSERT_TRUE(std::holds_alternative<MessagesRequest>(parsed)) << std::get<Error>(parsed).message;
  EXPECT_EQ(std::get<MessagesRequest>(parsed).view.gateway.user, "user_abc");  // the user, not the session
  auto chat = openai_request_from_anthropic(std::get<MessagesRequest>(parsed).request);
  ASSERT_TRUE(std::holds_alternative<boost::json::object>(chat));
  EXPECT_EQ(std::get<boost::json::object>(chat).at("messages"), boost::json::parse(R"([
      {"role":"user","content":"hi"},{"role":"assistant","content":"hello"},
      {"role":"system","content":"Be brief from now on."},{"role":"user","content":"and now?"}])"));
}

TEST(AnthropicInbound, ClaudeCodesMetadataNamesItsAccountElseItsDevice) {
  // Claude Code 2.1 sends metadata.user_id as a JSON object that also names the session.
  auto user_of = [](std::string_view user_id) {
    std::string body = R"({"model":"m","max_tokens":10,"metadata":{"user_id":)" +
                       boost::json::serialize(boost::json::value(user_id)) +
                       R"(},"messages":[{"role":"user","content":"hi"}]})";
    auto parsed = parse_messages_request(body);
    return std::holds_alternative<MessagesRequest>(parsed) ? std::get<MessagesRequest>(parsed).view.gateway.user
                                                           : "(refused)";
  };
  EXPECT_EQ(user_of(R"({"device_id":"d1","account_uuid":"a1","session_id":"s1"})"), "a1");
  EXPECT_EQ(user_of(R"({"device_id":"d1","account_uuid":"","session_id":"s1"})"), "d1");
  EXPECT_EQ(user_of("alice"), "alice");
  EXPECT_EQ(user_of(R"({"not":"claude code"})"), R"({"not":"claude code"})");
}

TEST(AnthropicInbound, GeminiCallSignaturesRideInAThinkingBlockAndComeBack) {
  // An answer from a Gemini provider whose call carries a thoughtSignature ...
  auto answer = anthropic_response_from_openai(R"({"id":"gen_1","object":"chat.completion","created":1,"model":"m",
      "choices":[{"index":0,"finish_reason":"tool_calls","message":{"role":"assistant","content":null,
      "tool_calls":[{"id":"call_0","type":"function","thought_signature":"c2ln",
      "function":{"name":"run","arguments":"{\"x\":1}"}}]}}]})",
                                               "m");
  ASSERT_TRUE(std::holds_alternative<std::string>(answer));
  auto content = boost::json::parse(std::get<std::string>(answer)).at("content").as_array();
  ASSERT_EQ(content.size(), 2u);
  EXPECT_EQ(content[0].at("type"), "thinking");
  EXPECT_EQ(content[1].at("type"), "tool_use");
  // ... comes back on the call when the client sends the turn back.
  boost::json::object next{{"model", "m"},
                           {"max_tokens", 10},
                           {"messages", boost::json::array{
                                            boost::json::object{{"role", "user"}, {"content", "go"}},
                                            boost::json::object{{"role", "assistant"}, {"content", content}},
                                        }}};
  auto chat = openai_request_from_anthropic(next);
  ASSERT_TRUE(std::holds_alternative<boost::json::object>(chat));
  const auto& call = std::get<boost::json::object>(chat).at("messages").at(1).at("tool_calls").at(0);
  EXPECT_EQ(call.at("thought_signature"), "c2ln");
}
