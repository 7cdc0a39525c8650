// The admit phase through a real Gateway with scripted upstreams: a key's rate limit and budget
// as the client sees them (429, Retry-After, x-ratelimit-*), the models and providers a key may
// use, and a provider's own quota steering routing to the next route.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <boost/json.hpp>

#include "pipeline/gateway_harness.h"

using namespace switchyard;
using namespace switchyard::testing;

namespace {

constexpr const char* kLimited = "sk-test-limited-0001";  // rpm 2; team/chat and team/quota only
constexpr const char* kOnlyP2 = "sk-test-only-p2-0002";   // routes to p2 only
constexpr const char* kBudget = "sk-test-budget-0003";    // $0.005 a month, hard
constexpr const char* kFree = "sk-test-free-0004";        // nothing configured
constexpr const char* kSoft = "sk-test-soft-0005";        // $0.005 a month, soft

const char* kConfig = R"(
providers:
  p1: {type: openai, base_url: 'http://p1.test/v1', api_key: sk-p1-secret-key-0001}
  p2: {type: openai, base_url: 'http://p2.test/v1', api_key: sk-p2-secret-key-0002}
  p3: {type: openai, base_url: 'http://p3.test/v1', api_key: sk-p3-secret-key-0003, limits: {rpm: 1}}
  p4: {type: openai, base_url: 'http://p4.test/v1', api_key: sk-p4-secret-key-0004, limits: {tpm: 5000}}
models:
  team/tpm:
    routes:
      - {provider: p4, model: m4}
      - {provider: p2, model: m2}
  team/chat:
    price: {input: 1, output: 2}
    routes:
      - {provider: p1, model: m1}
      - {provider: p2, model: m2}
  team/quota:
    routes:
      - {provider: p3, model: m3}
      - {provider: p2, model: m2}
  team/other:
    routes:
      - {provider: p1, model: m1}
auth:
  keys:
    - {key: sk-test-limited-0001, team: acme, limits: {rpm: 2}, models: [team/chat, team/quota]}
    - {key: sk-test-only-p2-0002, team: acme, providers: [p2]}
    - {key: sk-test-budget-0003, team: acme, budget: {usd: 0.005, period: month}}
    - {key: sk-test-free-0004, team: acme}
    - {key: sk-test-soft-0005, team: acme, budget: {usd: 0.005, period: month, mode: soft}}
)";

std::string request(std::string_view model = "team/chat", std::string_view extra = "") {
  return fmt::format(R"({{"model":"{}",{}"messages":[{{"role":"user","content":"hi"}}]}})", model, extra);
}

std::string completion(std::string_view text) {
  return fmt::format(R"({{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{{"index":0,)"
                     R"("message":{{"role":"assistant","content":"{}"}},"finish_reason":"stop"}}],)"
                     R"("usage":{{"prompt_tokens":10,"completion_tokens":20,"total_tokens":30}}}})",
                     text);
}

std::vector<std::pair<std::string, std::string>> bearer(std::string_view key) {
  return {{"authorization", fmt::format("Bearer {}", key)}};
}

std::vector<std::string> hosts(const ScriptedTransport& transport) {
  std::vector<std::string> out;
  for (const auto& exchange : transport.log()) out.push_back(exchange->host);
  return out;
}

boost::json::object json_of(const std::string& text) { return boost::json::parse(text).as_object(); }

// The gateway's clock is 40 s into a minute: 20 s until it resets.
constexpr int64_t kToMinuteEnd_s = 20;

}  // namespace

TEST(Admit, AnAllowedRequestCarriesTheKeysRateFigures) {
  TestGateway g(kConfig);
  ASSERT_EQ(g.wall_ms % 60'000, 40'000);
  g.transport.add(json_answer(200, completion("one")));
  ClientView answer = g.chat(request(), bearer(kLimited));
  ASSERT_EQ(answer.status, 200u) << answer.body;
  EXPECT_EQ(answer.header("x-ratelimit-limit-requests"), "2");
  EXPECT_EQ(answer.header("x-ratelimit-remaining-requests"), "1");
  EXPECT_EQ(answer.header("x-ratelimit-reset-requests"), fmt::format("{}s", kToMinuteEnd_s));
  EXPECT_EQ(answer.header("retry-after"), "") << "only a refusal says when to retry";
  EXPECT_EQ(answer.header("x-ratelimit-limit-tokens"), "") << "no token limit configured";
}

TEST(Admit, AKeyWithoutLimitsGetsNoRateHeaders) {
  TestGateway g(kConfig);
  g.transport.add(json_answer(200, completion("one")));
  ClientView answer = g.chat(request(), bearer(kFree));
  ASSERT_EQ(answer.status, 200u) << answer.body;
  EXPECT_EQ(answer.header("x-ratelimit-limit-requests"), "");
}

TEST(Admit, OverItsRpmAKeyGets429WithRetryAfterAndNoUpstreamCallUntilTheNextMinute) {
  TestGateway g(kConfig);
  g.transport.add(json_answer(200, completion("one")));
  g.transport.add(json_answer(200, completion("two")));
  ASSERT_EQ(g.chat(request(), bearer(kLimited)).status, 200u);
  ClientView second = g.chat(request(), bearer(kLimited));
  ASSERT_EQ(second.status, 200u);
  EXPECT_EQ(second.header("x-ratelimit-remaining-requests"), "0");

  g.transport.add(json_answer(200, completion("three")));
  ClientView refused = g.chat(request(), bearer(kLimited));
  EXPECT_EQ(refused.status, 429u) << refused.body;
  EXPECT_EQ(refused.header("retry-after"), std::to_string(kToMinuteEnd_s));
  EXPECT_EQ(refused.header("x-ratelimit-limit-requests"), "2");
  EXPECT_EQ(refused.header("x-ratelimit-remaining-requests"), "0");
  EXPECT_EQ(refused.header("x-ratelimit-reset-requests"), fmt::format("{}s", kToMinuteEnd_s));
  auto error = json_of(refused.body).at("error").as_object();
  EXPECT_EQ(error.at("code").as_string(), "rate_limit_exceeded");
  EXPECT_EQ(error.at("type").as_string(), "requests");
  EXPECT_NE(std::string(error.at("message").as_string()).find("2 requests per minute"), std::string::npos)
      << refused.body;
  EXPECT_EQ(g.transport.log().size(), 2u) << "a refused request never goes upstream";
  EXPECT_EQ(g.chat(request(), bearer(kFree)).status, 200u) << "another key of the team is not limited";

  g.wall_ms += 60'000;
  g.transport.add(json_answer(200, completion("four")));
  ClientView next_minute = g.chat(request(), bearer(kLimited));
  EXPECT_EQ(next_minute.status, 200u) << next_minute.body;
  EXPECT_EQ(next_minute.header("x-ratelimit-remaining-requests"), "1");
}

TEST(Admit, AModelOutsideTheKeysModelsIs403) {
  TestGateway g(kConfig);
  g.transport.add(json_answer(200, completion("never")));
  ClientView answer = g.chat(request("team/other"), bearer(kLimited));
  EXPECT_EQ(answer.status, 403u) << answer.body;
  EXPECT_EQ(json_of(answer.body).at("error").at("code").as_string(), "model_not_allowed");
  EXPECT_NE(answer.body.find("team/other"), std::string::npos) << answer.body;
  EXPECT_TRUE(g.transport.log().empty());
  EXPECT_EQ(g.transport.unused(), 1u);
}

TEST(Admit, AProviderOutsideTheKeysProvidersIsSkipped) {
  TestGateway g(kConfig);
  g.transport.add(json_answer(200, completion("from p2")));
  ClientView answer = g.chat(request(), bearer(kOnlyP2));
  EXPECT_EQ(answer.status, 200u) << answer.body;
  EXPECT_EQ(hosts(g.transport), (std::vector<std::string>{"p2.test"})) << "p1 is not tried";
  EXPECT_EQ(answer.header("x-switchyard-provider"), "p2");

  g.transport.add(json_answer(200, completion("from p1")));
  ClientView only_p1 = g.chat(request("team/other"), bearer(kOnlyP2));
  EXPECT_EQ(only_p1.status, 403u) << only_p1.body;
  EXPECT_EQ(g.transport.log().size(), 1u);
}

TEST(Admit, AProviderAtItsQuotaIsSkippedForTheNextRouteUntilTheNextMinute) {
  TestGateway g(kConfig);
  g.transport.add(json_answer(200, completion("from p3")));
  ClientView first = g.chat(request("team/quota"), bearer(kFree));
  ASSERT_EQ(first.status, 200u) << first.body;
  EXPECT_EQ(first.header("x-switchyard-provider"), "p3");

  g.transport.add(json_answer(200, completion("from p2")));
  ClientView second = g.chat(request("team/quota"), bearer(kFree));
  ASSERT_EQ(second.status, 200u) << second.body;
  EXPECT_EQ(second.header("x-switchyard-provider"), "p2");
  EXPECT_EQ(hosts(g.transport), (std::vector<std::string>{"p3.test", "p2.test"}))
      << "p3 was not called for the second request";

  g.wall_ms += 60'000;
  g.transport.add(json_answer(200, completion("from p3 again")));
  ClientView third = g.chat(request("team/quota"), bearer(kFree));
  ASSERT_EQ(third.status, 200u) << third.body;
  EXPECT_EQ(third.header("x-switchyard-provider"), "p3");
  EXPECT_EQ(hosts(g.transport).back(), "p3.test");
}

TEST(Admit, AHardBudgetRefusesWhatItsReservationWouldExceedWithInsufficientQuota) {
  TestGateway g(kConfig);
  // No max_tokens: reserved at 4096 output tokens at $2/M, over the $0.005 budget.
  ClientView refused = g.chat(request(), bearer(kBudget));
  EXPECT_EQ(refused.status, 429u) << refused.body;
  auto error = json_of(refused.body).at("error").as_object();
  EXPECT_EQ(error.at("code").as_string(), "insufficient_quota");
  EXPECT_EQ(error.at("type").as_string(), "insufficient_quota");
  EXPECT_NE(refused.body.find("budget exhausted for key "), std::string::npos) << refused.body;
  EXPECT_NE(refused.header("retry-after"), "");
  EXPECT_TRUE(g.transport.log().empty());

  // With max_tokens 1000 a reservation ($0.002 and a little input) fits; each answer settles to
  // its usage (10 + 20 tokens: $0.00005), so a third fits too (three reservations would not).
  for (int i = 0; i < 3; ++i) {
    g.transport.add(json_answer(200, completion("ok")));
    ClientView ok = g.chat(request("team/chat", R"("max_tokens":1000,)"), bearer(kBudget));
    EXPECT_EQ(ok.status, 200u) << i << ": " << ok.body;
  }
  EXPECT_EQ(g.transport.log().size(), 3u);
}

TEST(Admit, ASoftBudgetServesAndFlagsTheAnswer) {
  TestGateway g(kConfig);
  g.transport.add(json_answer(200, completion("over")));
  ClientView answer = g.chat(request(), bearer(kSoft));
  EXPECT_EQ(answer.status, 200u) << answer.body;
  EXPECT_TRUE(answer.header("x-switchyard-budget").starts_with("exceeded; key "))
      << answer.header("x-switchyard-budget");
  EXPECT_EQ(answer.header("x-switchyard-budget").find('|'), std::string::npos) << answer.header("x-switchyard-budget");
}

TEST(Admit, AnthropicClientsGetAnthropicsRateHeaders) {
  TestGateway g(kConfig);
  g.transport.add(json_answer(200, completion("hello")));
  ClientView answer = run_request(
      *g.gateway, Exchanged{http::verb::post,
                            "/v1/messages",
                            R"({"model":"team/chat","max_tokens":100,"messages":[{"role":"user","content":"hi"}]})",
                            {{"x-api-key", kLimited}, {"anthropic-version", "2023-06-01"}},
                            {}});
  ASSERT_EQ(answer.status, 200u) << answer.body;
  EXPECT_EQ(answer.header("anthropic-ratelimit-requests-limit"), "2");
  EXPECT_EQ(answer.header("anthropic-ratelimit-requests-remaining"), "1");
  EXPECT_EQ(answer.header("anthropic-ratelimit-requests-reset"), "2026-05-28T20:27:00Z");
  EXPECT_EQ(answer.header("x-ratelimit-limit-requests"), "");
}

TEST(Admit, AProvidersQuotaIsChargedOnlyForWhatItServed) {
  // Each request reserves ~4100 tokens of p4's 5000 a minute (its size and an output cap of 4096).
  TestGateway g(kConfig);
  const std::string big = R"({"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,)"
                          R"("message":{"role":"assistant","content":"x"},"finish_reason":"stop"}],)"
                          R"("usage":{"prompt_tokens":10,"completion_tokens":2000,"total_tokens":2010}})";
  g.transport.add(json_answer(503, R"({"error":{"message":"overloaded"}})"));
  g.transport.add(json_answer(200, big));
  ClientView rescued = g.chat(request("team/tpm"), bearer(kFree));
  ASSERT_EQ(rescued.status, 200u) << rescued.body;
  EXPECT_EQ(rescued.header("x-switchyard-provider"), "p2");
  // p4 failed: its quota is charged nothing (not p2's 2010 tokens), so it has room for another.
  g.transport.add(json_answer(200, big));
  ClientView next = g.chat(request("team/tpm"), bearer(kFree));
  ASSERT_EQ(next.status, 200u) << next.body;
  EXPECT_EQ(next.header("x-switchyard-provider"), "p4");
  // p4 served 2010 tokens: 5000 - 2010 leaves no room for a third reservation this minute.
  g.transport.add(json_answer(200, big));
  ClientView third = g.chat(request("team/tpm"), bearer(kFree));
  ASSERT_EQ(third.status, 200u) << third.body;
  EXPECT_EQ(third.header("x-switchyard-provider"), "p2");
  EXPECT_EQ(hosts(g.transport), (std::vector<std::string>{"p4.test", "p2.test", "p4.test", "p2.test"}));
}
