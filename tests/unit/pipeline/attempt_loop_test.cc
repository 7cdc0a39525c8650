// The attempt loop through a real Gateway, with upstreams scripted: retries, fallbacks, probes,
// mid-stream failures, metering and cancellation, each in milliseconds.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <boost/json.hpp>

#include "pipeline/gateway_harness.h"

using namespace switchyard;
using namespace switchyard::testing;
using namespace std::chrono_literals;

namespace {

// Two OpenAI-format routes, p1 then p2, and an unpriced direct route; retries once after 1 ms.
const char* kTwoRoutes = R"(
providers:
  p1: {type: openai, base_url: 'http://p1.test/v1', api_key: sk-p1-secret-key-0001}
  p2: {type: openai, base_url: 'http://p2.test/v1', api_key: sk-p2-secret-key-0002}
retries: {max: 1, backoff_ms: 1}
circuit_breaker: {failures: 1, cooldown_s: 30}
models:
  team/chat:
    price: {input: 1, output: 2}
    routes:
      - {provider: p1, model: m1}
      - {provider: p2, model: m2}
)";

std::string request(std::string_view model = "team/chat", bool stream = false) {
  return fmt::format(R"({{"model":"{}","stream":{},"messages":[{{"role":"user","content":"hi"}}]}})", model, stream);
}

std::string completion(std::string_view text) {
  return fmt::format(R"({{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{{"index":0,)"
                     R"("message":{{"role":"assistant","content":"{}"}},"finish_reason":"stop"}}],)"
                     R"("usage":{{"prompt_tokens":10,"completion_tokens":20,"total_tokens":30}}}})",
                     text);
}

std::string chunk(std::string_view content, std::string_view finish = "", std::string_view usage = "") {
  std::string out =
      R"({"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{)";
  if (!content.empty()) out += fmt::format(R"("content":"{}")", content);
  out += "},\"finish_reason\":";
  out += finish.empty() ? "null" : fmt::format("\"{}\"", finish);
  out += "}]";
  if (!usage.empty()) out += ",\"usage\":" + std::string(usage);
  return out + "}";
}

std::vector<std::string> hosts(const ScriptedTransport& transport) {
  std::vector<std::string> out;
  for (const auto& exchange : transport.log()) out.push_back(exchange->host);
  return out;
}

boost::json::object json_of(const std::string& text) { return boost::json::parse(text).as_object(); }

}  // namespace

TEST(AttemptLoop, RetriesARouteThenFallsOverAndSaysHowManyAttempts) {
  TestGateway g(kTwoRoutes);
  g.transport.add(json_answer(503, R"({"error":{"message":"busy"}})"));
  g.transport.add(json_answer(503, R"({"error":{"message":"still busy"}})"));
  g.transport.add(json_answer(200, completion("from p2")));
  ClientView answer = g.chat(request());
  EXPECT_EQ(answer.status, 200u);
  EXPECT_EQ(hosts(g.transport), (std::vector<std::string>{"p1.test", "p1.test", "p2.test"}));
  EXPECT_EQ(answer.header("x-switchyard-attempts"), "3");
  EXPECT_EQ(answer.header("x-switchyard-provider"), "p2");
  auto body = json_of(answer.body);
  EXPECT_EQ(body.at("choices").at(0).at("message").at("content"), "from p2");
  EXPECT_EQ(body.at("id").as_string(), answer.header("x-switchyard-request-id"));
  EXPECT_EQ(answer.header("x-request-id"), answer.header("x-switchyard-request-id"));
  // 10 input at $1/M and 20 output at $2/M.
  EXPECT_DOUBLE_EQ(body.at("usage").at("cost").as_double(), (10 * 1 + 20 * 2) / 1e6);
}

TEST(AttemptLoop, AnUpstreamVerdictOnTheRequestIsFinalAndCarriesNoProviderKey) {
  TestGateway g(kTwoRoutes);
  g.transport.add(json_answer(
      400,
      R"({"error":{"message":"bad: Authorization: Bearer sk-p1-secret-key-0001","type":"invalid_request_error"}})"));
  ClientView answer = g.chat(request());
  EXPECT_EQ(answer.status, 400u);
  EXPECT_EQ(hosts(g.transport), (std::vector<std::string>{"p1.test"})) << "a 400 is not retried nor fallen over";
  EXPECT_EQ(answer.body.find("sk-p1-secret-key-0001"), std::string::npos) << answer.body;
  EXPECT_NE(answer.body.find("[redacted]"), std::string::npos) << answer.body;
}

TEST(AttemptLoop, AnHtmlPageWithStatus200CountsAsTheRouteFailing) {
  TestGateway g(kTwoRoutes);
  ScriptedAnswer html = json_answer(200, "<html>gateway timeout</html>");
  html.headers = {{"content-type", "text/html"}};
  g.transport.add(std::move(html));
  g.transport.add(json_answer(503, "{}"));  // p1's retry
  g.transport.add(json_answer(200, completion("ok")));
  ClientView answer = g.chat(request());
  EXPECT_EQ(answer.status, 200u);
  EXPECT_EQ(hosts(g.transport).back(), "p2.test");
}

TEST(AttemptLoop, ARecoveredRouteGetsTrafficAgainAfterItsCooldown) {
  // p2 first, p1 second. p1 fails and opens; after the cooldown a request that p2 answers never
  // tries p1 (it was admitted, not probed), and the next request that needs p1 may probe it.
  TestGateway g(std::string(kTwoRoutes) + R"(
  team/reversed:
    routes:
      - {provider: p2, model: m2}
      - {provider: p1, model: m1}
)");
  g.transport.add(json_answer(503, "{}"));
  g.transport.add(json_answer(503, "{}"));
  g.transport.add(json_answer(200, completion("p2")));
  ASSERT_EQ(g.chat(request()).status, 200u);  // p1 failed twice: open
  g.now += 31s;
  g.transport.add(json_answer(200, completion("p2 again")));
  ASSERT_EQ(g.chat(request("team/reversed")).status, 200u);
  g.transport.add(json_answer(503, "{}"));
  g.transport.add(json_answer(503, "{}"));
  g.transport.add(json_answer(200, completion("p1 is back")));
  ClientView answer = g.chat(request("team/reversed"));
  EXPECT_EQ(answer.status, 200u);
  EXPECT_EQ(json_of(answer.body).at("choices").at(0).at("message").at("content"), "p1 is back");
  EXPECT_EQ(g.transport.unused(), 0u);
}

TEST(AttemptLoop, AStreamCutByItsProviderEndsWithAnErrorEventAndNoDone) {
  TestGateway g(kTwoRoutes);
  ScriptedAnswer cut = sse_answer({chunk("Hello"), chunk(" wor")});
  cut.error_after_pieces = make_error(ErrorKind::upstream_unreachable, "p1 reset the connection");
  g.transport.add(std::move(cut));
  ClientView answer = g.chat(request("team/chat", true));
  EXPECT_EQ(answer.status, 200u);
  EXPECT_NE(answer.body.find("Hello"), std::string::npos);
  EXPECT_NE(answer.body.find(" wor"), std::string::npos);
  EXPECT_NE(answer.body.find(R"(data: {"error")"), std::string::npos) << answer.body;
  EXPECT_EQ(answer.body.find("[DONE]"), std::string::npos);
  EXPECT_EQ(hosts(g.transport).size(), 1u) << "nothing is retried once bytes reached the client";
}

TEST(AttemptLoop, UsageOnTheLastContentChunkKeepsTheLastWordsWhenTheClientDidNotAskForUsage) {
  TestGateway g(kTwoRoutes);
  g.transport.add(
      sse_answer({chunk("Hello"), chunk(" world", "stop", R"({"prompt_tokens":3,"completion_tokens":2})"), "[DONE]"}));
  ClientView answer = g.chat(request("team/chat", true));
  EXPECT_NE(answer.body.find(" world"), std::string::npos) << answer.body;
  EXPECT_NE(answer.body.find(R"("finish_reason":"stop")"), std::string::npos);
  EXPECT_EQ(answer.body.find("usage"), std::string::npos) << answer.body;
  EXPECT_NE(answer.body.find("[DONE]"), std::string::npos);
  // The gateway asked the provider for usage on the client's behalf.
  EXPECT_NE(g.transport.log()[0]->request.body.find(R"("include_usage":true)"), std::string::npos);
}

TEST(AttemptLoop, AnUpstreamEventOverTheLimitEndsTheStream) {
  TestGateway g(std::string(kTwoRoutes) + "limits: {max_upstream_event_bytes: 4096}\n");
  ScriptedAnswer huge = sse_answer({chunk("Hi")});
  huge.pieces.push_back("data: " + std::string(3000, 'x'));
  huge.pieces.push_back(std::string(3000, 'x'));
  huge.hang_after_pieces = true;
  g.transport.add(std::move(huge));
  ClientView answer = g.chat(request("team/chat", true));
  EXPECT_NE(answer.body.find("Hi"), std::string::npos);
  EXPECT_NE(answer.body.find("max_upstream_event_bytes"), std::string::npos) << answer.body;
  EXPECT_EQ(answer.body.find("xxxx"), std::string::npos);
}

TEST(AttemptLoop, AClientThatLeavesCancelsTheUpstreamAndEndsTheRequest) {
  TestGateway g(kTwoRoutes);
  ScriptedAnswer stalled = sse_answer({chunk("one"), chunk("two")});
  stalled.hang_after_pieces = true;
  g.transport.add(std::move(stalled));
  // The client reads both chunks and leaves while the gateway waits on the stalled upstream.
  Exchanged leaving{http::verb::post, "/v1/chat/completions", request("team/chat", true), {}, "two"};
  ClientView answer = run_request(*g.gateway, leaving);
  EXPECT_EQ(answer.status, 200u);
  ASSERT_EQ(g.transport.log().size(), 1u);
  EXPECT_TRUE(g.transport.log()[0]->aborted) << "the stalled upstream request is dropped, not left running";
}

TEST(AttemptLoop, ADuplicatedModelKeyNeverReachesAnUpstream) {
  TestGateway g(kTwoRoutes);
  ClientView answer = g.chat(R"({"model":"team/chat","messages":[{"role":"user","content":"x"}],"model":"p2/o1-pro"})");
  EXPECT_EQ(answer.status, 400u);
  EXPECT_EQ(json_of(answer.body).at("error").at("param"), "model");
  EXPECT_TRUE(g.transport.log().empty());
}

TEST(AttemptLoop, ARouteAnotherRequestIsProbingAnswers503NotAnInternalError) {
  TestGateway g(std::string(kTwoRoutes) + R"(
  team/solo:
    routes:
      - {provider: p1, model: m1}
)");
  g.transport.add(json_answer(503, "{}"));
  g.transport.add(json_answer(503, "{}"));
  ASSERT_NE(g.chat(request("team/solo")).status, 200u);  // failed: its circuit opens
  g.now += 31s;
  // Another request holds the probe (it waits on the route's first byte).
  Config same = parse_config("providers: {p1: {type: openai, base_url: 'http://p1.test/v1'}}\n", "t");
  const Candidate solo{&same.providers.at("p1"), "m1", "team/solo"};
  auto probe = g.breaker.enter(solo, BreakerConfig{1, 30s});
  ASSERT_TRUE(probe.admitted());
  ClientView answer = g.chat(request("team/solo"));
  EXPECT_EQ(answer.status, 503u) << answer.body;
  EXPECT_EQ(json_of(answer.body).at("error").at("type"), "upstream_error");
  EXPECT_EQ(g.transport.log().size(), 2u) << "the probed route is not tried twice at once";
}

TEST(AttemptLoop, PassesTheClientsTraceparentToEachAttemptAsItCame) {
  TestGateway g(kTwoRoutes);
  g.transport.add(json_answer(503, R"({"error":{"message":"busy"}})"));
  g.transport.add(json_answer(503, R"({"error":{"message":"still busy"}})"));
  g.transport.add(json_answer(200, completion("from p2")));
  const std::string parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  ClientView answer = g.chat(request(), {{"traceparent", parent}});
  EXPECT_EQ(answer.status, 200u);
  ASSERT_EQ(g.transport.log().size(), 3u);
  for (const auto& sent : g.transport.log())
    EXPECT_NE(sent->request.header_lines.find("traceparent: " + parent + "\r\n"), std::string::npos)
        << "telemetry off: the gateway is not a participant, the header goes on unchanged";

  TestGateway quiet(kTwoRoutes);
  quiet.transport.add(json_answer(200, completion("hi")));
  quiet.chat(request(), {{"traceparent", "00-00000000000000000000000000000000-b7ad6b7169203331-01"}});
  ASSERT_EQ(quiet.transport.log().size(), 1u);
  EXPECT_EQ(quiet.transport.log()[0]->request.header_lines.find("traceparent"), std::string::npos)
      << "an invalid traceparent (all-zero trace id) is not passed on";
}
