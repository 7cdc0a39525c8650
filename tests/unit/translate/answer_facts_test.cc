#include "translate/answer_facts.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "fixtures.h"
#include "translate/sse_events.h"

using namespace switchyard;

TEST(AnswerFacts, ReadsCachedAndReasoningTokensFromAnOpenAIStreamAndStampsTheUsageChunk) {
  AnswerFacts facts;
  std::vector<std::string> out;
  for (const auto& event : parse_sse_events(fixture("openai/stream_with_usage.sse"))) {
    if (event.data == "[DONE]") continue;
    auto scan = scan_answer(AnswerFormat::openai, event.data);
    ASSERT_TRUE(scan);
    fold_event(AnswerFormat::openai, *scan, facts);
    // As for a client that asked for usage: "usage":null goes, the usage object stays.
    out.push_back(stamp_answer(event.data, *scan, "gen_1", scan->usage ? std::optional<double>(0.5) : std::nullopt,
                               !scan->usage));
  }
  ASSERT_TRUE(facts.usage);
  EXPECT_EQ(facts.usage->input, 2006);
  EXPECT_EQ(facts.usage->cache_read, 1920);
  EXPECT_EQ(facts.usage->output, 300);
  EXPECT_EQ(facts.usage->reasoning, 256);
  EXPECT_EQ(facts.finish_reason, "stop");
  // Every chunk: the generation id, no "usage":null; the usage chunk: its cost.
  for (const auto& text : out) {
    auto chunk = boost::json::parse(text).as_object();
    EXPECT_EQ(chunk.at("id"), "gen_1") << text;
    if (chunk.contains("usage")) EXPECT_EQ(chunk.at("usage").at("cost").as_double(), 0.5) << text;
  }
  EXPECT_EQ(out[1].find("\"usage\""), std::string::npos) << out[1];
  EXPECT_NE(out[3].find("\"cost\":0.5}"), std::string::npos) << out[3];
}

TEST(AnswerFacts, ReadsAnAnthropicStreamStartToEnd) {
  AnswerFacts facts;
  for (const auto& event : parse_sse_events(fixture("anthropic/stream_tool_use.sse")))
    if (auto scan = scan_answer(AnswerFormat::anthropic, event.data)) fold_event(AnswerFormat::anthropic, *scan, facts);
  ASSERT_TRUE(facts.usage);
  EXPECT_EQ(facts.usage->input, 472);
  EXPECT_EQ(facts.usage->output, 89);
  EXPECT_EQ(facts.finish_reason, "tool_calls");
}

TEST(AnswerFacts, CountsAnthropicCacheWritesAsInputAndKeepsOtherBytes) {
  std::string body = fixture("anthropic/response_cached.json");
  auto scan = scan_answer(AnswerFormat::anthropic, body);
  ASSERT_TRUE(scan && scan->usage);
  EXPECT_EQ(scan->usage->input, 21 + 188086);
  EXPECT_EQ(scan->usage->cache_write, 188086);
  EXPECT_EQ(scan->usage->output, 393);
  EXPECT_EQ(scan->finish_reason, "stop");
  scan->id_length = 0;
  std::string stamped = stamp_answer(body, *scan, "gen_x", 1.25);
  auto expected = body;
  expected.insert(expected.find(R"(,"service_tier":"standard"})") + 26, R"(,"cost":1.25)");
  EXPECT_EQ(stamped, expected);
}

TEST(AnswerFacts, ReadsAToolCallAnswer) {
  auto scan = scan_answer(AnswerFormat::openai, fixture("openai/response_tool_call.json"));
  ASSERT_TRUE(scan);
  EXPECT_EQ(scan->finish_reason, "tool_calls");
  EXPECT_TRUE(scan->usage);
}

TEST(AnswerFacts, UsageOnTheLastContentChunkIsRemovedAloneWhenTheClientDidNotAskForIt) {
  // Mistral, vLLM and llama.cpp servers put usage on the chunk that carries the last words.
  std::string chunk =
      R"({"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":" end."},"finish_reason":"stop"}],)"
      R"("usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12}})";
  auto scan = scan_answer(AnswerFormat::openai, chunk);
  ASSERT_TRUE(scan && scan->usage);
  EXPECT_TRUE(scan->has_choices);
  auto out = boost::json::parse(stamp_answer(chunk, *scan, "gen_1", 0.25, true)).as_object();
  EXPECT_FALSE(out.contains("usage"));
  EXPECT_EQ(out.at("choices").at(0).at("delta").at("content"), " end.");
  EXPECT_EQ(out.at("choices").at(0).at("finish_reason"), "stop");

  std::string first = R"({"usage":{"prompt_tokens":1},"id":"c2","choices":[]})";
  auto first_scan = scan_answer(AnswerFormat::openai, first);
  ASSERT_TRUE(first_scan);
  EXPECT_FALSE(first_scan->has_choices);
  EXPECT_EQ(stamp_answer(first, *first_scan, "", std::nullopt, true), R"({"id":"c2","choices":[]})");
}

TEST(AnswerFacts, AnUnpricedAnswerSaysCostNull) {
  std::string body = R"({"id":"x","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4}})";
  auto scan = scan_answer(AnswerFormat::openai, body);
  ASSERT_TRUE(scan);
  auto out = boost::json::parse(stamp_answer(body, *scan, "gen_2", std::nullopt)).as_object();
  ASSERT_TRUE(out.at("usage").as_object().contains("cost"));
  EXPECT_TRUE(out.at("usage").at("cost").is_null());
}

TEST(AnswerFacts, AMalformedOrHostileAnswerIsNotReadAndNeverCrashes) {
  // Found by answer_stamping_fuzz: a structural error inside usage used to leave simdjson's
  // iterator without its parser (a segfault), and a choice without finish_reason threw.
  for (const char* text :
       {R"({"usage":{"completion_tokens_details":1:1}})", R"({"usage":{"prompt_tokens":1:1},"id":"x"})"})
    EXPECT_FALSE(scan_answer(AnswerFormat::openai, text)) << text;
  EXPECT_FALSE(scan_answer(AnswerFormat::anthropic, R"({"usage":{"output_tokens":1:1}})"));
  auto scan = scan_answer(AnswerFormat::openai, R"({"choices":[{}]})");
  ASSERT_TRUE(scan);
  EXPECT_TRUE(scan->has_choices);
  EXPECT_EQ(scan->finish_reason, "");
  // Counts are clamped, so Anthropic's sum of input and cache tokens cannot overflow.
  auto huge = scan_answer(AnswerFormat::anthropic,
                          R"({"usage":{"input_tokens":9223372036854775807,"cache_read_input_tokens":1}})");
  ASSERT_TRUE(huge && huge->usage);
  EXPECT_GT(huge->usage->input, 0);
}

TEST(AnswerFacts, ADamagedNullLiteralIsNotAnAnswer) {
  // Found by answer_stamping_fuzz: "nu" starts like null, and its span ran past the event.
  EXPECT_FALSE(scan_answer(AnswerFormat::openai, R"({"choices":[],"usage":nu})"));
}
