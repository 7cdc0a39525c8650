#include "translate/gemini_request.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "fixtures.h"
#include "translate/gemini_response.h"

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

TEST(GeminiRequest, SendsOpenAIEmbeddingRequestsAsABatch) {
  auto batch = gemini_embeddings_request_from_openai(json::parse(fixture("openai/embeddings_request.json")).as_object(),
                                                     "gemini-embedding-001");
  ASSERT_TRUE(std::holds_alternative<json::object>(batch)) << std::get<Error>(batch).message;
  EXPECT_EQ(std::get<json::object>(batch), json::parse(R"({"requests":[
    {"model":"models/gemini-embedding-001","content":{"parts":[{"text":"first text"}]}},
    {"model":"models/gemini-embedding-001","content":{"parts":[{"text":"second text"}]}}]})"));
  auto one = gemini_embeddings_request_from_openai(
      json::parse(R"({"model":"e","input":"hello","dimensions":256})").as_object(), "e-1");
  ASSERT_TRUE(std::holds_alternative<json::object>(one));
  EXPECT_EQ(std::get<json::object>(one), json::parse(R"({"requests":[
    {"model":"models/e-1","content":{"parts":[{"text":"hello"}]},"outputDimensionality":256}]})"));

  for (const char* bad : {R"({"input":[1,2,3]})", R"({"input":[[1,2]]})", R"({"input":[]})", R"({})",
                          R"({"input":"x","dimensions":0})", R"({"input":"x","dimensions":"8"})"}) {
    auto result = gemini_embeddings_request_from_openai(json::parse(bad).as_object(), "e");
    ASSERT_TRUE(std::holds_alternative<Error>(result)) << bad;
    EXPECT_EQ(std::get<Error>(result).kind, ErrorKind::bad_request);
    EXPECT_FALSE(std::get<Error>(result).param.empty()) << bad;
  }
  EXPECT_EQ(std::get<Error>(gemini_embeddings_request_from_openai(json::parse(R"({"input":[[1,2]]})").as_object(), "e"))
                .param,
            "input");
}

TEST(GeminiRequest, ReadsAGeminiBatchOfEmbeddingsAsOpenAIs) {
  auto list = openai_embeddings_from_gemini(
      R"({"embeddings":[{"values":[0.25,-1]},{"values":[3]}],"usageMetadata":{"promptTokenCount":7,"totalTokenCount":7}})",
      "team/embed");
  ASSERT_TRUE(std::holds_alternative<std::string>(list));
  EXPECT_EQ(std::get<std::string>(list),
            R"({"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.25,-1]},)"
            R"({"object":"embedding","index":1,"embedding":[3]}],"model":"team/embed",)"
            R"("usage":{"prompt_tokens":7,"total_tokens":7}})");
  // Gemini's batch answer usually tells no usage: zeros, as OpenAI's schema wants numbers.
  auto bare = openai_embeddings_from_gemini(R"({"embeddings":[{"values":[1]}]})", "e");
  ASSERT_TRUE(std::holds_alternative<std::string>(bare));
  EXPECT_EQ(json::parse(std::get<std::string>(bare)).at("usage"),
            json::parse(R"({"prompt_tokens":0,"total_tokens":0})"));
  for (const char* bad : {"", "{}", R"({"embeddings":[{"values":["x"]}]})", R"({"embeddings":[1]})"}) {
    auto result = openai_embeddings_from_gemini(bad, "e");
    ASSERT_TRUE(std::holds_alternative<Error>(result)) << bad;
    EXPECT_EQ(std::get<Error>(result).kind, ErrorKind::upstream_failed);
  }
}
