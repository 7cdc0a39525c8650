#include "translate/anthropic_request.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "fixtures.h"

using namespace switchyard;
namespace json = boost::json;

namespace {
json::object translate(const std::string& fixture_name, std::string_view model) {
  auto result = anthropic_request_from_openai(json::parse(fixture(fixture_name)).as_object(), model);
  if (auto* error = std::get_if<Error>(&result)) ADD_FAILURE() << error->message;
  return std::get<json::object>(result);
}
}  // namespace

TEST(AnthropicRequest, TranslatesARecordedToolConversation) {
  EXPECT_EQ(translate("openai/chat_request_tools.json", "claude-sonnet-4-5"),
            json::parse(fixture("anthropic/request_from_openai_tools.json")));
}

TEST(AnthropicRequest, TranslatesImagesLimitsReasoningAndToolOptions) {
  json::object out = translate("openai/chat_request_options.json", "claude-opus-4-1");
  EXPECT_EQ(out.at("system"), json::parse(R"([{"type":"text","text":"Reply in JSON."}])"));
  // Two user turns in a row become one, as Anthropic requires alternating roles.
  const auto& messages = out.at("messages").as_array();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].at("content"), json::parse(R"([
    {"type":"text","text":"Compare these.","cache_control":{"type":"ephemeral"}},
    {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},
    {"type":"image","source":{"type":"url","url":"https://example.com/cat.jpg"}},
    {"type":"text","text":"Be precise."}])"));
  // The thinking budget must stay below max_tokens, so max_tokens grows to make room.
  EXPECT_EQ(out.at("thinking"), json::parse(R"({"type":"enabled","budget_tokens":8192})"));
  EXPECT_EQ(out.at("max_tokens"), 8192 + 4096);
  EXPECT_EQ(out.at("stop_sequences"), json::parse(R"(["END"])"));
  EXPECT_EQ(out.at("metadata"), json::parse(R"({"user_id":"user-42"})"));
  EXPECT_EQ(out.at("tool_choice"), json::parse(R"({"type":"tool","name":"lookup","disable_parallel_tool_use":true})"));
  EXPECT_EQ(out.at("tools").at(0).at("description"), "Look up");
  EXPECT_EQ(out.at("output_format").at("type"), "json_schema");
  EXPECT_FALSE(out.contains("stream"));
}

TEST(AnthropicRequest, AlwaysSendsMaxTokens) {
  auto request = json::parse(R"({"model":"m","messages":[{"role":"user","content":"hi"}]})").as_object();
  EXPECT_EQ(
      std::get<json::object>(anthropic_request_from_openai(request, "claude-3-5-haiku-20241022")).at("max_tokens"),
      8192);
  EXPECT_EQ(std::get<json::object>(anthropic_request_from_openai(request, "claude-3-opus")).at("max_tokens"), 4096);
  request["max_tokens"] = 77;
  EXPECT_EQ(std::get<json::object>(anthropic_request_from_openai(request, "claude-3-opus")).at("max_tokens"), 77);
}

TEST(AnthropicRequest, MapsEveryToolChoice) {
  auto request = json::parse(R"({"messages":[{"role":"user","content":"hi"}]})").as_object();
  for (auto [choice, expected] :
       std::vector<std::pair<const char*, const char*>>{{R"("auto")", R"({"type":"auto"})"},
                                                        {R"("none")", R"({"type":"none"})"},
                                                        {R"("required")", R"({"type":"any"})"}}) {
    request["tool_choice"] = json::parse(choice);
    EXPECT_EQ(std::get<json::object>(anthropic_request_from_openai(request, "m")).at("tool_choice"),
              json::parse(expected));
  }
}

TEST(AnthropicRequest, RefusesWhatItCannotExpress) {
  auto bad_part =
      json::parse(R"({"messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{}}]}]})").as_object();
  EXPECT_EQ(std::get<Error>(anthropic_request_from_openai(bad_part, "m")).status, 400);
  auto bad_args = json::parse(R"({"messages":[{"role":"user","content":"x"},
      {"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{oops"}}]}]})")
                      .as_object();
  EXPECT_EQ(std::get<Error>(anthropic_request_from_openai(bad_args, "m")).message,
            "tool call arguments must be a JSON object");
  auto only_system = json::parse(R"({"messages":[{"role":"system","content":"x"}]})").as_object();
  EXPECT_EQ(std::get<Error>(anthropic_request_from_openai(only_system, "m")).status, 400);
}
