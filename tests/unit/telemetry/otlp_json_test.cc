#include "telemetry/otlp_json.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

using namespace switchyard;
namespace json = boost::json;

namespace {

constexpr int64_t kStart = 1795500000000;

// A chat request that failed over: OpenAI answered 503, then Anthropic served.
UsageRecord failed_over() {
  UsageRecord r;
  r.id = "gen_01KAV3C8Y2Q6X4M9TNZ0R5B7C1";
  r.created_ms = kStart;
  r.team = "acme";
  r.user = "ana";
  r.endpoint = "/v1/chat/completions";
  r.model_requested = "smart";
  r.model = "anthropic/claude-sonnet-4-5";
  r.provider = "anthropic-eu";
  r.upstream_model = "claude-sonnet-4-5-20250929";
  r.finish_reason = "stop";
  r.input_tokens = 1200;
  r.output_tokens = 350;
  r.cache_read_tokens = 1000;
  r.cache_write_tokens = 64;
  r.reasoning_tokens = 128;
  r.cost = 0.0125;
  r.latency_ms = 2100;
  r.status = 200;
  r.attempts = {{"openai-us", "gpt-4o", "openai/gpt-4o", false, 503, "overloaded", kStart + 2, kStart + 40},
                {"anthropic-eu", "claude-sonnet-4-5-20250929", "anthropic/claude-sonnet-4-5", true, 200, "",
                 kStart + 41, kStart + 2100}};
  return r;
}

TraceContext trace_of(bool with_parent) {
  TraceContext trace;
  trace.trace_id = new_trace_id();
  trace.span_id = new_span_id();
  if (with_parent) trace.parent = new_span_id();
  trace.sampled = true;
  return trace;
}

TracedRecord traced(const UsageRecord& record, const TraceContext& trace, std::vector<std::string> providers) {
  TracedRecord t{&record, trace, {}, std::move(providers), {}};
  for (std::size_t i = 0; i < t.attempt_providers.size(); ++i) t.attempt_spans.push_back(new_span_id());
  if (!t.attempt_providers.empty()) t.provider_type = t.attempt_providers.back();
  return t;
}

std::string hex(const auto& id) { return to_hex(id.data(), id.size()); }

// The spans of the one resource and scope, checking the envelope on the way.
json::array spans_of(std::string_view text, std::string_view service) {
  json::value body = json::parse(text);
  const json::array& resources = body.at("resourceSpans").as_array();
  EXPECT_EQ(resources.size(), 1u);
  const json::array& attributes = resources.at(0).at("resource").at("attributes").as_array();
  EXPECT_EQ(attributes.at(0).at("key").as_string(), "service.name");
  EXPECT_EQ(attributes.at(0).at("value").at("stringValue").as_string(), service);
  const json::array& scopes = resources.at(0).at("scopeSpans").as_array();
  EXPECT_EQ(scopes.size(), 1u);
  EXPECT_EQ(scopes.at(0).at("scope").at("name").as_string(), "switchyard");
  EXPECT_TRUE(scopes.at(0).at("scope").at("version").is_string());
  return scopes.at(0).at("spans").as_array();
}

// An attribute's value ({"stringValue": ...} and so on), or null when the span has none.
json::value attribute(const json::value& span, std::string_view key) {
  for (const auto& a : span.at("attributes").as_array())
    if (a.at("key").as_string() == key) return a.at("value");
  return nullptr;
}
std::string text(const json::value& span, std::string_view key) {
  return std::string(attribute(span, key).at("stringValue").as_string());
}
int64_t integer(const json::value& span, std::string_view key) {  // int64 as a string, as proto3's JSON has it
  return std::stoll(std::string(attribute(span, key).at("intValue").as_string()));
}
int64_t nanos(const json::value& span, std::string_view key) {
  return std::stoll(std::string(span.at(key).as_string()));
}

}  // namespace

TEST(OtlpJson, ARequestSpanWithItsAttemptsAsChildren) {
  const UsageRecord record = failed_over();
  const TracedRecord request = traced(record, trace_of(false), {"openai", "anthropic"});
  json::array spans = spans_of(otlp_traces_json("gateway-eu", {&request, 1}), "gateway-eu");
  ASSERT_EQ(spans.size(), 3u);

  const json::value& server = spans.at(0);
  EXPECT_EQ(server.at("traceId").as_string(), hex(request.trace.trace_id));
  EXPECT_EQ(server.at("spanId").as_string(), hex(request.trace.span_id));
  EXPECT_FALSE(server.as_object().contains("parentSpanId"));
  EXPECT_EQ(server.at("name").as_string(), "chat smart");
  EXPECT_EQ(server.at("kind").as_int64(), 2);
  EXPECT_EQ(nanos(server, "startTimeUnixNano"), kStart * 1'000'000);
  EXPECT_EQ(nanos(server, "endTimeUnixNano"), (kStart + 2100) * 1'000'000);
  EXPECT_EQ(server.at("status").at("code").as_int64(), 1);
  EXPECT_EQ(text(server, "gen_ai.operation.name"), "chat");
  EXPECT_EQ(text(server, "gen_ai.provider.name"), "anthropic");
  EXPECT_EQ(text(server, "gen_ai.request.model"), "smart");
  EXPECT_EQ(text(server, "gen_ai.response.model"), "claude-sonnet-4-5-20250929");
  EXPECT_EQ(integer(server, "gen_ai.usage.input_tokens"), 1200);
  EXPECT_EQ(integer(server, "gen_ai.usage.output_tokens"), 350);
  EXPECT_EQ(integer(server, "gen_ai.usage.cache_read.input_tokens"), 1000);
  EXPECT_EQ(integer(server, "gen_ai.usage.cache_creation.input_tokens"), 64);
  EXPECT_EQ(integer(server, "gen_ai.usage.reasoning.output_tokens"), 128);
  EXPECT_EQ(attribute(server, "gen_ai.response.finish_reasons"),
            json::parse(R"({"arrayValue":{"values":[{"stringValue":"stop"}]}})"));
  EXPECT_EQ(integer(server, "http.response.status_code"), 200);
  EXPECT_TRUE(attribute(server, "error.type").is_null());
  EXPECT_EQ(text(server, "switchyard.request_id"), record.id);
  EXPECT_EQ(text(server, "switchyard.team"), "acme");
  EXPECT_EQ(text(server, "switchyard.user"), "ana");
  EXPECT_EQ(text(server, "switchyard.endpoint"), "/v1/chat/completions");
  EXPECT_EQ(text(server, "switchyard.provider"), "anthropic-eu");
  EXPECT_EQ(text(server, "switchyard.model_id"), "anthropic/claude-sonnet-4-5");
  EXPECT_EQ(attribute(server, "switchyard.cost_usd").at("doubleValue").as_double(), 0.0125);
  EXPECT_TRUE(attribute(server, "switchyard.cache_hit").is_null()) << "only a hit says so";

  const json::value& failed = spans.at(1);
  EXPECT_EQ(failed.at("traceId").as_string(), hex(request.trace.trace_id));
  EXPECT_EQ(failed.at("spanId").as_string(), hex(request.attempt_spans[0]));
  EXPECT_EQ(failed.at("parentSpanId").as_string(), hex(request.trace.span_id));
  EXPECT_EQ(failed.at("name").as_string(), "chat gpt-4o");
  EXPECT_EQ(failed.at("kind").as_int64(), 3);
  EXPECT_EQ(nanos(failed, "startTimeUnixNano"), (kStart + 2) * 1'000'000);
  EXPECT_EQ(nanos(failed, "endTimeUnixNano"), (kStart + 40) * 1'000'000);
  EXPECT_EQ(text(failed, "gen_ai.provider.name"), "openai");
  EXPECT_EQ(text(failed, "gen_ai.request.model"), "gpt-4o");
  EXPECT_EQ(text(failed, "switchyard.provider"), "openai-us");
  EXPECT_EQ(integer(failed, "http.response.status_code"), 503);
  EXPECT_EQ(text(failed, "error.type"), "503");
  EXPECT_EQ(failed.at("status"), json::parse(R"({"code":2,"message":"overloaded"})"));
  EXPECT_TRUE(attribute(failed, "switchyard.continued_at").is_null());

  const json::value& served = spans.at(2);
  EXPECT_EQ(served.at("spanId").as_string(), hex(request.attempt_spans[1]));
  EXPECT_EQ(served.at("parentSpanId").as_string(), hex(request.trace.span_id));
  EXPECT_EQ(text(served, "gen_ai.provider.name"), "anthropic");
  EXPECT_EQ(served.at("status").at("code").as_int64(), 1);
  EXPECT_TRUE(attribute(served, "error.type").is_null());
}

TEST(OtlpJson, ACacheHitAndAContinuedStreamAreMarked) {
  UsageRecord continued = failed_over();
  continued.attempts[0].status = 200;
  continued.attempts[0].error = "the stream broke off";
  continued.attempts[1].continued_at = 1834;
  UsageRecord hit = failed_over();
  hit.attempts.clear();
  hit.provider = hit.model = hit.upstream_model = "";
  hit.cost = 0;
  hit.cache_hit = true;
  hit.saved_cost = 0.0125;
  const TracedRecord requests[] = {traced(continued, trace_of(false), {"openai", "anthropic"}),
                                   traced(hit, trace_of(false), {})};
  json::array spans = spans_of(otlp_traces_json("gw", requests), "gw");
  ASSERT_EQ(spans.size(), 4u);  // the continued request and its two attempts, the hit alone
  EXPECT_TRUE(attribute(spans.at(0), "switchyard.cache_hit").is_null());
  EXPECT_TRUE(attribute(spans.at(1), "switchyard.continued_at").is_null());
  EXPECT_EQ(integer(spans.at(2), "switchyard.continued_at"), 1834);
  EXPECT_EQ(attribute(spans.at(3), "switchyard.cache_hit"), json::parse(R"({"boolValue":true})"));
  EXPECT_EQ(spans.at(3).at("status").at("code").as_int64(), 1);
}

TEST(OtlpJson, TheRequestSpansParentIsTheClientsSpan) {
  UsageRecord record = failed_over();
  record.endpoint = "/v1beta/models/gemini-2.5-flash:streamGenerateContent";
  record.attempts.resize(1);
  const TracedRecord request = traced(record, trace_of(true), {"gemini"});
  json::array spans = spans_of(otlp_traces_json("switchyard", {&request, 1}), "switchyard");
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(spans.at(0).at("parentSpanId").as_string(), hex(*request.trace.parent));
  EXPECT_EQ(spans.at(1).at("parentSpanId").as_string(), hex(request.trace.span_id));
  EXPECT_EQ(text(spans.at(0), "gen_ai.operation.name"), "generate_content");
  EXPECT_EQ(text(spans.at(0), "gen_ai.provider.name"), "gcp.gemini");
  EXPECT_EQ(text(spans.at(1), "gen_ai.provider.name"), "gcp.gemini");
}

TEST(OtlpJson, AFailedRequestHasErrorTypeAndStatusError) {
  UsageRecord record = failed_over();
  record.status = 502;
  record.error = "every provider failed: \"overloaded\"";
  record.finish_reason.clear();
  record.cache_read_tokens = record.cache_write_tokens = record.reasoning_tokens = 0;
  record.cost.reset();
  record.attempts.resize(1);
  const TracedRecord request = traced(record, trace_of(false), {"openai"});
  json::array spans = spans_of(otlp_traces_json("switchyard", {&request, 1}), "switchyard");
  const json::value& server = spans.at(0);
  EXPECT_EQ(text(server, "error.type"), "502");
  EXPECT_EQ(server.at("status"), json::parse(R"({"code":2,"message":"every provider failed: \"overloaded\""})"));
  for (const char* absent :
       {"gen_ai.response.finish_reasons", "gen_ai.usage.cache_read.input_tokens",
        "gen_ai.usage.cache_creation.input_tokens", "gen_ai.usage.reasoning.output_tokens", "switchyard.cost_usd"})
    EXPECT_TRUE(attribute(server, absent).is_null()) << absent;

  record.status = 499;  // the client left
  EXPECT_EQ(text(spans_of(otlp_traces_json("switchyard", {&request, 1}), "switchyard").at(0), "error.type"),
            "cancelled");
}

TEST(OtlpJson, ManyRequestsInOneExport) {
  UsageRecord embed = failed_over();
  embed.endpoint = "/v1/embeddings";
  embed.attempts.clear();
  embed.provider.clear();
  const UsageRecord chat = failed_over();
  std::vector<TracedRecord> requests = {traced(embed, trace_of(false), {}),
                                        traced(chat, trace_of(false), {"openai", "anthropic"})};
  json::array spans = spans_of(otlp_traces_json("switchyard", requests), "switchyard");
  ASSERT_EQ(spans.size(), 4u);
  EXPECT_EQ(spans.at(0).at("name").as_string(), "embeddings smart");
  EXPECT_TRUE(attribute(spans.at(0), "gen_ai.provider.name").is_null());
  EXPECT_EQ(spans.at(1).at("spanId").as_string(), hex(requests[1].trace.span_id));
}

TEST(GenAiOperation, ByEndpoint) {
  EXPECT_EQ(gen_ai_operation("/v1/chat/completions"), "chat");
  EXPECT_EQ(gen_ai_operation("/v1/messages"), "chat");
  EXPECT_EQ(gen_ai_operation("/v1/responses"), "chat");
  EXPECT_EQ(gen_ai_operation("/v3/ai/language-model"), "chat");
  EXPECT_EQ(gen_ai_operation("/v1/embeddings"), "embeddings");
  EXPECT_EQ(gen_ai_operation("/v4/ai/embedding-model"), "embeddings");
  EXPECT_EQ(gen_ai_operation("/v1beta/models/text-embedding-004:embedContent"), "embeddings");
  EXPECT_EQ(gen_ai_operation("/v1beta/models/text-embedding-004:batchEmbedContents"), "embeddings");
  EXPECT_EQ(gen_ai_operation("/v1beta/models/gemini-2.5-flash:generateContent"), "generate_content");
  EXPECT_EQ(gen_ai_operation("/v1/models/gemini-2.5-flash:streamGenerateContent"), "generate_content");
}
