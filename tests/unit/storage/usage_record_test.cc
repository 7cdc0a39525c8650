// A record as JSON: the journal's and `switchyard export`'s line, and the attempts' JSON that
// PostgreSQL's column and the generation API hold.
#include "storage/usage_record.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

using namespace switchyard;
namespace json = boost::json;

namespace {

constexpr int64_t kT0 = 1795500000000;

UsageRecord continued_stream() {
  UsageRecord r;
  r.id = "gen_01KAV3C8Y2Q6X4M9TNZ0R5B7C1";
  r.created_ms = kT0;
  r.team = "acme";
  r.model_requested = r.model = "r/chat";
  r.provider = "anthropic";
  r.streamed = true;
  r.status = 200;
  r.cost = 0.003;
  r.attempts = {{"openai", "gpt-4o", "r/chat", false, 200, "the stream broke off", kT0, kT0 + 900},
                {"anthropic", "claude-sonnet-4-5", "r/chat", true, 200, "", kT0 + 901, kT0 + 2000}};
  r.attempts[1].continued_at = 1834;
  return r;
}

UsageRecord cache_hit() {
  UsageRecord r;
  r.id = "gen_01KAV3C8Y2Q6X4M9TNZ0R5B7C2";
  r.created_ms = kT0 + 5;
  r.team = "acme";
  r.model_requested = "r/chat";
  r.status = 200;
  r.cost = 0;
  r.cache_hit = true;
  r.saved_cost = 0.0125;
  return r;
}

}  // namespace

TEST(JournalLine, CarriesTheCacheAndContinuationFields) {
  for (const UsageRecord& r : {continued_stream(), cache_hit()}) {
    const std::string line = record_json_line(r);
    EXPECT_EQ(line.back(), '\n');
    EXPECT_EQ(record_json_line(record_from_json_line(line)), line) << line;
  }
  const json::object hit = json::parse(record_json_line(cache_hit())).as_object();
  EXPECT_EQ(hit.at("cache_hit"), true);
  EXPECT_DOUBLE_EQ(hit.at("saved_cost").as_double(), 0.0125);
  const json::object miss = json::parse(record_json_line(continued_stream())).as_object();
  EXPECT_EQ(miss.at("cache_hit"), false);
  EXPECT_TRUE(miss.at("saved_cost").is_null());
  EXPECT_EQ(miss.at("attempts").at(1).at("continued_at"), 1834);
  EXPECT_FALSE(miss.at("attempts").at(0).as_object().contains("continued_at")) << "omitted when absent";
  UsageRecord back = record_from_json_line(record_json_line(cache_hit()));
  EXPECT_TRUE(back.cache_hit);
  EXPECT_EQ(back.saved_cost, 0.0125);
  back = record_from_json_line(record_json_line(continued_stream()));
  EXPECT_EQ(back.attempts.at(0).continued_at, std::nullopt);
  EXPECT_EQ(back.attempts.at(1).continued_at, 1834);
}

TEST(JournalLine, ALineWrittenBeforeTheResponseCacheReadsAsAMiss) {
  // As the journal of an earlier switchyard holds it: no cache_hit, saved_cost or continued_at.
  const std::string old_line =
      R"({"id":"gen_01KAV3C8Y2Q6X4M9TNZ0R5B7C1","created_ms":1795500000000,"team":"acme","key_id":"k1","user":"",)"
      R"("use_case":"","endpoint":"/v1/chat/completions","tags":[],"model_requested":"r/chat","model":"r/chat",)"
      R"("provider":"lab","upstream_model":"up","streamed":false,"finish_reason":"stop","input_tokens":10,)"
      R"("output_tokens":5,"cache_read_tokens":0,"cache_write_tokens":0,"reasoning_tokens":0,"cost":0.01,)"
      R"("byok":false,"ttft_ms":null,"latency_ms":100,"status":200,"error":"","attempts":[{"provider":"lab",)"
      R"("model":"up","model_id":"r/chat","success":true,"status":200,"error":null,"start_time":1795500000000,)"
      R"("end_time":1795500000100}]})";
  const UsageRecord r = record_from_json_line(old_line);
  EXPECT_EQ(r.id, "gen_01KAV3C8Y2Q6X4M9TNZ0R5B7C1");
  EXPECT_EQ(r.cost, 0.01);
  EXPECT_FALSE(r.cache_hit);
  EXPECT_FALSE(r.saved_cost);
  ASSERT_EQ(r.attempts.size(), 1u);
  EXPECT_FALSE(r.attempts[0].continued_at);
}

TEST(AttemptsJson, ContinuedAtOnlyOnTheAttemptThatContinued) {
  const auto attempts = continued_stream().attempts;
  const json::value parsed = json::parse(attempts_json(attempts));
  EXPECT_EQ(parsed, attempts_to_json(attempts));
  EXPECT_EQ(parsed.at(0),
            json::parse(R"({"provider":"openai","model":"gpt-4o","model_id":"r/chat","success":false,"status":200,)"
                        R"("error":"the stream broke off","start_time":1795500000000,"end_time":1795500000900})"));
  EXPECT_EQ(parsed.at(1).at("continued_at"), 1834);
  const auto back = attempts_from_json(parsed);
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].continued_at, std::nullopt);
  EXPECT_EQ(back[1].continued_at, 1834);
  // A cut before any text had reached the client is a continuation at 0, not none.
  auto at_zero = attempts;
  at_zero[1].continued_at = 0;
  EXPECT_EQ(attempts_from_json(json::parse(attempts_json(at_zero)))[1].continued_at, 0);
}
