// One suite, run against every translating provider: recorded answers and streams in the
// provider's format must reach OpenAI clients with nothing lost.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <functional>

#include "fixtures.h"
#include "translate/anthropic_response.h"
#include "translate/gemini_response.h"
#include "translate/sse_events.h"
#include "translate/sse_splitter.h"

using namespace switchyard;
namespace json = boost::json;

namespace {

struct ExpectedAnswer {
  std::optional<std::string> content;
  std::string reasoning;
  std::string tool_name;
  json::value tool_arguments;
  std::string finish_reason;
  int64_t prompt_tokens, completion_tokens, cached_tokens, reasoning_tokens;
};

struct ProviderCase {
  std::string name;
  std::function<std::variant<std::string, Error>(std::string_view, int64_t)> translate_response;
  std::function<std::unique_ptr<StreamTranslator>(int64_t, bool)> translate_stream;
  std::string response_fixture;
  ExpectedAnswer response;
  std::string stream_fixture;
  std::string stream_text;
  std::string stream_tool_name;  // empty when the recorded stream calls no tool
  json::value stream_tool_arguments;
  std::string stream_finish_reason;
  int64_t stream_prompt_tokens, stream_completion_tokens;
  std::string failing_stream_fixture;  // a stream in which the provider reports an error
  std::string failing_stream_message;
};

std::vector<ProviderCase> cases() {
  return {
      {"anthropic", openai_response_from_anthropic, openai_stream_from_anthropic, "anthropic/response_tool_use.json",
       ExpectedAnswer{"I'll check the weather in San Francisco.", "The user wants the weather.", "get_weather",
                      json::parse(R"({"location":"San Francisco, CA","unit":"celsius"})"), "tool_calls",
                      472 + 100 + 2048, 89, 2048, 0},
       "anthropic/stream_tool_use.sse", "Okay, let's check the weather.", "get_weather",
       json::parse(R"({"location":"San Francisco, CA"})"), "tool_calls", 472, 89, "anthropic/stream_overloaded.sse",
       "Overloaded"},
      {"gemini", openai_response_from_gemini, openai_stream_from_gemini, "gemini/response_function_call.json",
       ExpectedAnswer{std::nullopt, "Let me think.", "get_weather", json::parse(R"({"location":"Paris"})"),
                      "tool_calls", 120, 15 + 50, 100, 50},
       "gemini/stream_transcript.sse", "Hello there", "", nullptr, "stop", 3, 2, "gemini/stream_error.sse",
       "The model is overloaded. Please try again later."},
  };
}

// Everything a translator writes for `transcript`, fed in pieces of `step` bytes.
std::pair<std::string, std::optional<Error>> run_stream(StreamTranslator& translator, const std::string& transcript,
                                                        std::size_t step) {
  SseSplitter splitter;
  std::string out;
  for (std::size_t i = 0; i < transcript.size(); i += step)
    for (const auto& event : parse_sse_events(splitter.feed(std::string_view(transcript).substr(i, step))))
      if (auto error = translator.on_event(event, out)) return {out, error};
  auto end = translator.on_end(out);
  return {out, end};
}

std::vector<json::object> chunks_of(const std::string& out) {
  std::vector<json::object> chunks;
  for (const auto& event : parse_sse_events(out))
    if (event.data != "[DONE]") chunks.push_back(json::parse(event.data).as_object());
  return chunks;
}

class ProviderAnswers : public ::testing::TestWithParam<ProviderCase> {};

}  // namespace

TEST_P(ProviderAnswers, ANonStreamedAnswerKeepsTextReasoningToolCallsAndUsage) {
  const auto& c = GetParam();
  auto result = c.translate_response(fixture(c.response_fixture), 1700000000);
  ASSERT_TRUE(std::holds_alternative<std::string>(result)) << std::get<Error>(result).message;
  auto body = json::parse(std::get<std::string>(result)).as_object();
  EXPECT_EQ(body.at("object"), "chat.completion");
  EXPECT_EQ(body.at("created"), 1700000000);
  const auto& choice = body.at("choices").at(0).as_object();
  EXPECT_TRUE(choice.at("logprobs").is_null());
  EXPECT_EQ(choice.at("finish_reason").as_string(), c.response.finish_reason);
  const auto& message = choice.at("message").as_object();
  EXPECT_TRUE(message.at("refusal").is_null());
  if (c.response.content) {
    EXPECT_EQ(message.at("content").as_string(), *c.response.content);
  } else {
    EXPECT_TRUE(message.at("content").is_null());
  }
  EXPECT_EQ(message.at("reasoning").as_string(), c.response.reasoning);
  const auto& call = message.at("tool_calls").at(0).as_object();
  EXPECT_EQ(call.at("type"), "function");
  EXPECT_FALSE(call.at("id").as_string().empty());
  EXPECT_EQ(call.at("function").at("name").as_string(), c.response.tool_name);
  EXPECT_EQ(json::parse(call.at("function").at("arguments").as_string()), c.response.tool_arguments);
  const auto& usage = body.at("usage").as_object();
  EXPECT_EQ(usage.at("prompt_tokens"), c.response.prompt_tokens);
  EXPECT_EQ(usage.at("completion_tokens"), c.response.completion_tokens);
  EXPECT_EQ(usage.at("total_tokens"), c.response.prompt_tokens + c.response.completion_tokens);
  EXPECT_EQ(usage.at("prompt_tokens_details").at("cached_tokens"), c.response.cached_tokens);
  EXPECT_EQ(usage.at("completion_tokens_details").at("reasoning_tokens"), c.response.reasoning_tokens);
}

TEST_P(ProviderAnswers, AStreamArrivesWholeAtEveryReadSizeWithUsageLast) {
  const auto& c = GetParam();
  for (std::size_t step : {1u, 3u, 17u, 100000u}) {
    auto translator = c.translate_stream(1700000000, true);
    auto [out, error] = run_stream(*translator, fixture(c.stream_fixture), step);
    ASSERT_FALSE(error) << error->message;
    ASSERT_TRUE(out.ends_with("data: [DONE]\n\n")) << "step " << step;
    auto chunks = chunks_of(out);
    std::string text, arguments, tool_name, finish;
    for (const auto& chunk : chunks) {
      EXPECT_EQ(chunk.at("object"), "chat.completion.chunk");
      if (chunk.at("choices").as_array().empty()) continue;
      const auto& choice = chunk.at("choices").at(0).as_object();
      EXPECT_TRUE(choice.at("logprobs").is_null());
      const auto& delta = choice.at("delta").as_object();
      if (auto* content = delta.if_contains("content"); content && content->is_string()) text += content->get_string();
      if (auto* calls = delta.if_contains("tool_calls")) {
        const auto& call = calls->at(0).as_object();
        EXPECT_EQ(call.at("index"), 0);
        if (auto* name = call.at("function").as_object().if_contains("name")) tool_name = name->as_string();
        arguments += call.at("function").at("arguments").as_string();
      }
      if (choice.at("finish_reason").is_string()) finish = choice.at("finish_reason").as_string();
    }
    EXPECT_EQ(text, c.stream_text) << "step " << step;
    EXPECT_EQ(tool_name, c.stream_tool_name);
    if (!c.stream_tool_name.empty()) EXPECT_EQ(json::parse(arguments), c.stream_tool_arguments);
    EXPECT_EQ(finish, c.stream_finish_reason);
    const auto& usage = chunks.back().at("usage").as_object();
    EXPECT_TRUE(chunks.back().at("choices").as_array().empty());
    EXPECT_EQ(usage.at("prompt_tokens"), c.stream_prompt_tokens);
    EXPECT_EQ(usage.at("completion_tokens"), c.stream_completion_tokens);
  }
}

TEST_P(ProviderAnswers, NoUsageChunkUnlessAskedFor) {
  const auto& c = GetParam();
  auto translator = c.translate_stream(1, false);
  auto [out, error] = run_stream(*translator, fixture(c.stream_fixture), 64);
  ASSERT_FALSE(error);
  for (const auto& chunk : chunks_of(out)) EXPECT_FALSE(chunk.contains("usage"));
}

TEST_P(ProviderAnswers, ACutStreamIsAnErrorNotAShortAnswer) {
  const auto& c = GetParam();
  std::string transcript = fixture(c.stream_fixture);
  // Drop the last event: Anthropic's message_stop, or Gemini's chunk with the finishReason.
  std::string cut = transcript.substr(0, transcript.rfind("data: ", transcript.size() - 3));
  auto translator = c.translate_stream(1, true);
  auto [out, error] = run_stream(*translator, cut, 64);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->kind, ErrorKind::upstream_failed);
  EXPECT_EQ(out.find("[DONE]"), std::string::npos);
}

TEST_P(ProviderAnswers, AnErrorReportedInTheStreamEndsIt) {
  const auto& c = GetParam();
  auto translator = c.translate_stream(1, true);
  auto [out, error] = run_stream(*translator, fixture(c.failing_stream_fixture), 64);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->message, "provider error in stream: " + c.failing_stream_message);
}

TEST_P(ProviderAnswers, MalformedAnswersAreCleanErrors) {
  const auto& c = GetParam();
  for (const char* body : {"", "not json", "[]", "{\"candidates\":5,\"content\":7}"}) {
    auto result = c.translate_response(body, 1);
    if (auto* error = std::get_if<Error>(&result)) {
      EXPECT_EQ(error->kind, ErrorKind::upstream_failed);
    }
  }
  auto translator = c.translate_stream(1, true);
  std::string out;
  auto error = translator->on_event(SseEvent{"", "{not json"}, out);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->kind, ErrorKind::upstream_failed);
}

INSTANTIATE_TEST_SUITE_P(EveryTranslatingProvider, ProviderAnswers, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return info.param.name; });

TEST(GeminiAnswer, ABlockedPromptIsAContentFilterFinish) {
  auto body =
      json::parse(std::get<std::string>(openai_response_from_gemini(fixture("gemini/response_blocked.json"), 1)));
  EXPECT_EQ(body.at("choices").at(0).at("finish_reason"), "content_filter");
  EXPECT_EQ(body.at("usage").at("prompt_tokens"), 8);
}
