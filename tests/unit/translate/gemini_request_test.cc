#include "translate/gemini_request.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "fixtures.h"

using namespace switchyard;
namespace json = boost::json;

namespace {
json::object translate(const std::string& fixture_name) {
  auto result = gemini_request_from_openai(json::parse(fixture(fixture_name)).as_object());
  if (auto* error = std::get_if<Error>(&result)) ADD_FAILURE() << error->message;
  return std::get<json::object>(result);
}
}  // namespace

TEST(GeminiRequest, TranslatesARecordedToolConversation) {
  EXPECT_EQ(translate("openai/chat_request_tools.json"), json::parse(fixture("gemini/request_from_openai_tools.json")));
}

TEST(GeminiRequest, TranslatesImagesLimitsReasoningAndToolOptions) {
  json::object out = translate("openai/chat_request_options.json");
  EXPECT_EQ(out.at("systemInstruction"), json::parse(R"({"parts":[{"text":"Reply in JSON."}]})"));
  EXPECT_EQ(out.at("contents"), json::parse(R"([{"role":"user","parts":[
    {"text":"Compare these."},
    {"inlineData":{"mimeType":"image/png","data":"iVBORw0KGgo="}},
    {"fileData":{"mimeType":"image/jpeg","fileUri":"https://example.com/cat.jpg"}},
    {"text":"Be precise."}]}])"));
  EXPECT_EQ(out.at("generationConfig"), json::parse(R"({
    "maxOutputTokens":2000, "stopSequences":["END"], "responseMimeType":"application/json",
    "responseSchema":{"type":"object","properties":{"same":{"type":"boolean"}}},
    "thinkingConfig":{"thinkingBudget":8192}})"));
  // Keywords Gemini refuses are dropped; a property that happens to be called "strict" is kept.
  EXPECT_EQ(out.at("tools"), json::parse(R"([{"functionDeclarations":[{"name":"lookup","description":"Look up",
    "parameters":{"type":"object","properties":{"strict":{"type":"boolean"}}}}]}])"));
  EXPECT_EQ(out.at("toolConfig"),
            json::parse(R"({"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["lookup"]}})"));
}

TEST(GeminiRequest, ToolResultsNeedTheirCall) {
  auto orphan =
      json::parse(R"({"messages":[{"role":"user","content":"x"},{"role":"tool","tool_call_id":"nope","content":"1"}]})")
          .as_object();
  EXPECT_EQ(std::get<Error>(gemini_request_from_openai(orphan)).message,
            "tool message 'nope' answers no earlier tool call");
}
