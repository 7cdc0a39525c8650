#include "translate/answer_facts.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "fixtures.h"
#include "translate/responses_answer.h"
#include "translate/responses_request.h"
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

namespace {

// The Responses events a chat stream becomes (data only), as the gateway's meter reads them.
std::vector<SseEvent> responses_events(const std::string& chat_transcript, const char* request) {
  auto translator = responses_stream_from_chat(response_shell(boost::json::parse(request).as_object()), 1764619201);
  std::string out;
  for (const auto& event : parse_sse_events(chat_transcript)) EXPECT_FALSE(translator->on_event(event, out));
  EXPECT_FALSE(translator->on_end(out));
  return parse_sse_events(out);
}

}  // namespace

TEST(AnswerFacts, ReadsAResponsesBodyAndStampsItsIdAndCost) {
  std::string body = fixture("responses/response_reasoning_tools.json");
  auto scan = scan_answer(AnswerFormat::responses, body);
  ASSERT_TRUE(scan && scan->usage);
  EXPECT_EQ(scan->usage->input, 2620);  // input_tokens already counts the cached ones
  EXPECT_EQ(scan->usage->cache_read, 2048);
  EXPECT_EQ(scan->usage->cache_write, 100);
  EXPECT_EQ(scan->usage->output, 141);
  EXPECT_EQ(scan->usage->reasoning, 48);
  EXPECT_EQ(scan->finish_reason, "tool_calls");  // completed, and function_call items in the output
  std::string stamped = stamp_answer(body, *scan, "gen_01KAV3C8Y2Q6X4M9TNZ0R5B7C0", 0.0125);
  auto out = boost::json::parse(stamped).as_object();
  EXPECT_EQ(out.at("id"), "gen_01KAV3C8Y2Q6X4M9TNZ0R5B7C0");
  EXPECT_EQ(out.at("usage").at("cost").as_double(), 0.0125);
  // Nothing else changed: the output items keep their ids.
  out["id"] = "msg_01XFDUDYJgAACzvnptvVoYEL";
  out.at("usage").as_object().erase("cost");
  EXPECT_EQ(out, boost::json::parse(body));
}

TEST(AnswerFacts, ReadsAResponsesStreamAndStampsTheResponseItCarries) {
  auto events = responses_events(fixture("responses/chat_stream_reasoning_tools.sse"),
                                 R"({"model":"claude-sonnet","input":"x"})");
  ASSERT_EQ(events.back().name, "response.completed");
  AnswerFacts facts;
  for (const auto& event : events) {
    SCOPED_TRACE(event.data);
    auto scan = scan_answer(AnswerFormat::responses, event.data);
    ASSERT_TRUE(scan);
    fold_event(AnswerFormat::responses, *scan, facts);
    auto data = boost::json::parse(event.data).as_object();
    std::string stamped = stamp_answer(event.data, *scan, "gen_7", scan->usage ? std::optional(0.5) : std::nullopt);
    auto* response = data.if_contains("response");
    if (!response) {  // deltas and items: their own ids stay as they are
      EXPECT_EQ(stamped, event.data);
      continue;
    }
    auto out = boost::json::parse(stamped).as_object();
    EXPECT_EQ(out.at("response").at("id"), "gen_7");
    EXPECT_FALSE(out.contains("id"));
    if (event.name == "response.completed") {
      EXPECT_EQ(out.at("response").at("usage").at("cost").as_double(), 0.5);
      EXPECT_EQ(scan->finish_reason, "tool_calls");
    } else {
      EXPECT_TRUE(out.at("response").at("usage").is_null());  // created and in_progress: usage null, no cost
      EXPECT_EQ(scan->finish_reason, "");                     // in progress: no finish yet
    }
  }
  ASSERT_TRUE(facts.usage);
  EXPECT_EQ(facts.usage->input, 2620);
  EXPECT_EQ(facts.usage->cache_read, 2048);
  EXPECT_EQ(facts.usage->cache_write, 100);
  EXPECT_EQ(facts.usage->output, 141);
  EXPECT_EQ(facts.usage->reasoning, 48);
  EXPECT_EQ(facts.finish_reason, "tool_calls");
}

TEST(AnswerFacts, AResponsesFinishReasonIsToldInOpenAIsWords) {
  auto finish = [](const std::string& response) {
    auto body = scan_answer(AnswerFormat::responses, response);
    auto event = scan_answer(AnswerFormat::responses,
                             R"({"type":"response.completed","sequence_number":9,"response":)" + response + "}");
    EXPECT_TRUE(body && event) << response;
    EXPECT_EQ(body->finish_reason, event->finish_reason) << response;
    return body->finish_reason;
  };
  EXPECT_EQ(finish(R"({"id":"r","object":"response","status":"completed","incomplete_details":null,
                       "output":[{"type":"message","id":"m","status":"completed","role":"assistant","content":[]}]})"),
            "stop");
  EXPECT_EQ(finish(R"({"id":"r","object":"response","status":"completed",
                       "output":[{"type":"reasoning","id":"rs","summary":[]},
                                 {"type":"custom_tool_call","id":"c","call_id":"c","name":"apply_patch","input":""}]})"),
            "tool_calls");
  EXPECT_EQ(finish(R"({"id":"r","object":"response","status":"incomplete",
                       "incomplete_details":{"reason":"max_output_tokens"},"output":[]})"),
            "length");
  EXPECT_EQ(finish(R"({"id":"r","object":"response","status":"incomplete",
                       "incomplete_details":{"reason":"content_filter"},"output":[]})"),
            "content_filter");
  EXPECT_EQ(finish(R"({"id":"r","object":"response","status":"in_progress","output":[]})"), "");

  // The stream of an answer the token limit cut ends with response.incomplete, read as length.
  auto events = responses_events(
      "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"The\"},\"finish_reason\":null}]}\n\n"
      "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}]}\n\n"
      "data: {\"id\":\"c\",\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1,"
      "\"prompt_tokens_details\":{\"cached_tokens\":2}}}\n\ndata: [DONE]\n\n",
      R"({"model":"m","input":"x","max_output_tokens":1})");
  ASSERT_EQ(events.back().name, "response.incomplete");
  auto scan = scan_answer(AnswerFormat::responses, events.back().data);
  ASSERT_TRUE(scan && scan->usage);
  EXPECT_EQ(scan->finish_reason, "length");
  EXPECT_EQ(scan->usage->input, 5);
  EXPECT_EQ(scan->usage->cache_read, 2);
  EXPECT_EQ(scan->usage->output, 1);
}
