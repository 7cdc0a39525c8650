// Fallbacks that know why a request failed: each failure class does what the model's on_failure
// says, and routes whose context window cannot hold the request are skipped, not tried.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <boost/json.hpp>

#include "pipeline/gateway_harness.h"

using namespace switchyard;
using namespace switchyard::testing;

namespace {

const char* kProviders = R"(
providers:
  p1: {type: openai, base_url: 'http://p1.test/v1', api_key: sk-p1-secret-key-0001}
  p2: {type: openai, base_url: 'http://p2.test/v1', api_key: sk-p2-secret-key-0002}
  p3: {type: openai, base_url: 'http://p3.test/v1', api_key: sk-p3-secret-key-0003}
retries: {max: 1, backoff_ms: 1}
)";

std::string with_models(std::string_view models) { return std::string(kProviders) + "models:\n" + std::string(models); }

std::string request(std::string_view model, std::size_t padding = 0) {
  return fmt::format(R"({{"model":"{}","messages":[{{"role":"user","content":"hi{}"}}]}})", model,
                     std::string(padding, 'x'));
}

std::string completion(std::string_view text) {
  return fmt::format(R"({{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{{"index":0,)"
                     R"("message":{{"role":"assistant","content":"{}"}},"finish_reason":"stop"}}],)"
                     R"("usage":{{"prompt_tokens":10,"completion_tokens":20,"total_tokens":30}}}})",
                     text);
}

const char* kOverflow =
    R"({"error":{"message":"This model's maximum context length is 8192 tokens.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}})";
const char* kPolicy =
    R"({"error":{"message":"Your request was rejected as a result of our safety system.","type":"invalid_request_error","param":null,"code":"content_policy_violation"}})";

std::vector<std::string> hosts(const ScriptedTransport& transport) {
  std::vector<std::string> out;
  for (const auto& exchange : transport.log()) out.push_back(exchange->host);
  return out;
}

TEST(OnFailure, AContextOverflowGoesToTheLargerModelNamed) {
  TestGateway g(with_models(R"(
  m/short:
    on_failure: {context_window: [m/long]}
    routes: [{provider: p1, model: s1}, {provider: p2, model: s2}]
  m/long:
    routes: [{provider: p3, model: l1}]
)"));
  g.transport.add(json_answer(400, kOverflow));
  g.transport.add(json_answer(200, completion("from the long model")));
  ClientView answer = g.chat(request("m/short"));
  EXPECT_EQ(answer.status, 200u) << answer.body;
  EXPECT_EQ(hosts(g.transport), (std::vector<std::string>{"p1.test", "p3.test"}))
      << "the other short route is not tried: the larger model replaces the rest of the plan";
  EXPECT_EQ(answer.header("x-switchyard-model"), "m/long");
}

TEST(OnFailure, AContextOverflowIsGivenBackAsItCameByDefault) {
  TestGateway g(with_models(R"(
  m/short:
    routes: [{provider: p1, model: s1}, {provider: p2, model: s2}]
)"));
  g.transport.add(json_answer(400, kOverflow));
  ClientView answer = g.chat(request("m/short"));
  EXPECT_EQ(answer.status, 400u);
  EXPECT_EQ(boost::json::parse(answer.body).at("error").at("code"), "context_length_exceeded");
  EXPECT_EQ(g.transport.log().size(), 1u);
}

TEST(OnFailure, AContentPolicyRefusalIsReturnedOrFallsOverAsConfigured) {
  TestGateway returned(with_models(R"(
  m/a:
    on_failure: {content_policy: return}
    routes: [{provider: p1, model: a1}, {provider: p2, model: a2}]
)"));
  returned.transport.add(json_answer(400, kPolicy));
  ClientView answer = returned.chat(request("m/a"));
  EXPECT_EQ(answer.status, 400u);
  EXPECT_EQ(boost::json::parse(answer.body).at("error").at("code"), "content_policy_violation");
  EXPECT_EQ(returned.transport.log().size(), 1u);

  TestGateway fell_over(with_models(R"(
  m/a:
    on_failure: {content_policy: fallback}
    routes: [{provider: p1, model: a1}, {provider: p2, model: a2}]
)"));
  fell_over.transport.add(json_answer(400, kPolicy));
  fell_over.transport.add(json_answer(200, completion("another provider answered")));
  answer = fell_over.chat(request("m/a"));
  EXPECT_EQ(answer.status, 200u);
  EXPECT_EQ(hosts(fell_over.transport), (std::vector<std::string>{"p1.test", "p2.test"}));
}

TEST(OnFailure, AProvidersAuthenticationFailureFallsOverByDefault) {
  TestGateway g(with_models(R"(
  m/a:
    routes: [{provider: p1, model: a1}, {provider: p2, model: a2}]
)"));
  g.transport.add(json_answer(
      401,
      R"({"error":{"message":"Incorrect API key provided","type":"invalid_request_error","code":"invalid_api_key"}})"));
  g.transport.add(json_answer(200, completion("p2 has a good key")));
  ClientView answer = g.chat(request("m/a"));
  EXPECT_EQ(answer.status, 200u);
  EXPECT_EQ(hosts(g.transport), (std::vector<std::string>{"p1.test", "p2.test"}));
}

TEST(OnFailure, ARateLimitCanBeReturnedAtOnce) {
  TestGateway g(with_models(R"(
  m/a:
    on_failure: {rate_limit: return}
    routes: [{provider: p1, model: a1}, {provider: p2, model: a2}]
)"));
  g.transport.add(
      json_answer(429, R"({"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}})"));
  ClientView answer = g.chat(request("m/a"));
  EXPECT_EQ(answer.status, 429u);
  EXPECT_EQ(g.transport.log().size(), 1u);
}

TEST(OnFailure, AnOutageSetToFallbackSkipsTheRetryOfTheSameRoute) {
  TestGateway g(with_models(R"(
  m/a:
    on_failure: {outage: fallback}
    routes: [{provider: p1, model: a1}, {provider: p2, model: a2}]
)"));
  g.transport.add(json_answer(503, R"({"error":{"message":"overloaded"}})"));
  g.transport.add(json_answer(200, completion("p2")));
  ClientView answer = g.chat(request("m/a"));
  EXPECT_EQ(answer.status, 200u);
  EXPECT_EQ(hosts(g.transport), (std::vector<std::string>{"p1.test", "p2.test"})) << "retries.max is 1, yet no retry";
}

TEST(OnFailure, RoutesWhoseWindowCannotHoldTheRequestAreSkipped) {
  TestGateway g(with_models(R"(
  m/small:
    context_window: 100
    fallbacks: [m/big]
    routes: [{provider: p1, model: s1}]
  m/big:
    context_window: 100000
    routes: [{provider: p2, model: b1}]
)"));
  g.transport.add(json_answer(200, completion("the big one")));
  ClientView answer = g.chat(request("m/small", 2000));
  EXPECT_EQ(answer.status, 200u);
  EXPECT_EQ(hosts(g.transport), (std::vector<std::string>{"p2.test"})) << "p1 was never asked";

  g.transport.add(json_answer(200, completion("small is fine")));
  answer = g.chat(request("m/small", 100));
  EXPECT_EQ(hosts(g.transport).back(), "p1.test") << "a request that fits is served by its own route";
}

TEST(OnFailure, WhenNoRouteCanHoldTheRequestTheClientIsToldWhy) {
  TestGateway g(with_models(R"(
  m/small:
    context_window: 100
    routes: [{provider: p1, model: s1}]
)"));
  ClientView answer = g.chat(request("m/small", 2000));
  EXPECT_EQ(answer.status, 400u);
  auto error = boost::json::parse(answer.body).at("error");
  EXPECT_EQ(error.at("code"), "context_length_exceeded");
  EXPECT_TRUE(g.transport.log().empty());
}

}  // namespace
