#include "core/config.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "core/digest.h"
#include "fixtures.h"

using namespace switchyard;

namespace {

std::string error_of(const std::string& yaml) { return config_error_of(yaml, "test.yaml"); }

constexpr const char* kFull = R"(
listen: 0.0.0.0:9000
threads: 3
auth:
  keys:
    - {key: sk-acme-0123456789, team: acme}
    - {key: sk-beta-0123456789}
storage: sqlite:/tmp/x.db
timeouts: {connect_ms: 100, first_byte_ms: 200, idle_ms: 250, total_ms: 300, client_ms: 400}
retries: {max: 2, backoff_ms: 50, max_retry_after_ms: 3000}
limits: {max_body_bytes: 2048}
providers:
  openai:
    type: openai
    base_url: https://api.openai.com/v1/
    api_key: ${SWITCHYARD_TEST_KEY}
  local:
    type: openai
    base_url: ${SWITCHYARD_TEST_UNSET:-http://127.0.0.1:11434/v1}
    timeouts: {first_byte_ms: 5000}
  claude:
    type: anthropic
    api_key: ${SWITCHYARD_TEST_UNSET}
models:
  acme/chat:
    routes:
      - {provider: openai, model: gpt-4o-mini}
      - {provider: local, model: llama3, weight: 2}
    price: {input: 0.15, output: 0.6}
    strategy: weighted
)";

}  // namespace

TEST(Config, ReadsEveryDocumentedKey) {
  setenv("SWITCHYARD_TEST_KEY", "sk-real", 1);
  unsetenv("SWITCHYARD_TEST_UNSET");
  Config c = parse_config(kFull, "full.yaml");
  EXPECT_EQ(c.listen.host, "0.0.0.0");
  EXPECT_EQ(c.listen.port, 9000);
  EXPECT_EQ(c.threads, 3u);
  ASSERT_EQ(c.keys.size(), 2u);
  EXPECT_EQ(c.keys[0].team, "acme");
  EXPECT_EQ(c.keys[1].team, "default");
  EXPECT_EQ(c.keys[0].sha256, sha256("sk-acme-0123456789"));
  EXPECT_EQ(c.storage, "sqlite:/tmp/x.db");
  EXPECT_EQ(c.timeouts.connect.count(), 100);
  EXPECT_EQ(c.timeouts.first_byte.count(), 200);
  EXPECT_EQ(c.timeouts.total.count(), 300);
  EXPECT_EQ(c.timeouts.client.count(), 400);
  EXPECT_EQ(c.max_body_bytes, 2048u);
  EXPECT_EQ(c.retries.max, 2);
  EXPECT_EQ(c.retries.backoff.count(), 50);
  EXPECT_EQ(c.retries.max_retry_after.count(), 3000);

  const auto& openai = c.providers.at("openai");
  EXPECT_TRUE(openai.enabled());
  EXPECT_EQ(openai.api_key, "sk-real");
  EXPECT_TRUE(openai.endpoint.tls);
  EXPECT_EQ(openai.endpoint.host, "api.openai.com");
  EXPECT_EQ(openai.endpoint.port, 443);
  EXPECT_EQ(openai.endpoint.path_prefix, "/v1");

  const auto& local = c.providers.at("local");
  EXPECT_TRUE(local.enabled()) << "no api_key means none is needed";
  EXPECT_FALSE(local.endpoint.tls);
  EXPECT_EQ(local.endpoint.port, 11434);
  EXPECT_EQ(local.timeouts.first_byte.count(), 5000) << "a provider's own timeout";
  EXPECT_EQ(local.timeouts.idle.count(), 250) << "the rest are the global ones";
  EXPECT_EQ(openai.timeouts.first_byte.count(), 200);

  const auto& claude = c.providers.at("claude");
  EXPECT_EQ(claude.type, ProviderType::anthropic);
  EXPECT_EQ(claude.base_url, "https://api.anthropic.com");
  EXPECT_FALSE(claude.enabled());
  EXPECT_EQ(claude.disabled_reason, "environment variable SWITCHYARD_TEST_UNSET is not set");

  const auto& model = c.models.at("acme/chat");
  ASSERT_EQ(model.routes.size(), 2u);
  EXPECT_EQ(model.routes[1].provider, "local");
  EXPECT_EQ(model.routes[1].model, "llama3");
  EXPECT_EQ(model.routes[1].weight, 2);
  EXPECT_EQ(model.strategy, Strategy::weighted);
  ASSERT_TRUE(model.price);
  EXPECT_DOUBLE_EQ(model.price->output_per_mtok, 0.6);
}

TEST(Config, DefaultsWhenKeysAreAbsent) {
  Config c = parse_config("providers: {}\n", "min.yaml");
  EXPECT_EQ(c.listen.port, 8080);
  EXPECT_EQ(c.max_body_bytes, 32u << 20);
  EXPECT_EQ(c.timeouts.first_byte.count(), 60000);
  EXPECT_TRUE(c.keys.empty());
}

TEST(Config, ErrorsNameTheFileLineKeyAndProblem) {
  EXPECT_EQ(
      error_of("listen: 1.2.3.4:80\nlisten_port: 3\n"),
      "test.yaml:2: key 'listen_port': unknown key (expected one of: listen, threads, auth, storage, journal, "
      "timeouts, retries, circuit_breaker, "
      "limits, providers, models, aliases, rules, simulator, prices, admin_key, teams, responses, families, state, "
      "governance, access_log, telemetry, cache)");
  EXPECT_EQ(error_of("listen: nowhere\n"), "test.yaml:1: key 'listen': must be HOST:PORT (got 'nowhere')");
  EXPECT_EQ(error_of("threads: -1\n"), "test.yaml:1: key 'threads': must be between 1 and 1024 (got -1)");
  EXPECT_EQ(error_of("threads: many\n"), "test.yaml:1: key 'threads': must be a whole number (got 'many')");
  EXPECT_EQ(error_of("providers:\n  p:\n    type: soap\n"),
            "test.yaml:3: key 'providers.p.type': must be one of openai, anthropic, gemini (got 'soap')");
  EXPECT_EQ(error_of("providers:\n  p:\n    base_url: http://x\n"), "test.yaml:3: key 'providers.p.type': is required");
  EXPECT_EQ(error_of("providers:\n  p: {type: openai, base_url: 'ftp://x/v1'}\n"),
            "test.yaml:2: key 'providers.p.base_url': scheme must be http or https (got 'ftp')");
  EXPECT_EQ(error_of("models:\n  m:\n    routes:\n      - {provider: ghost, model: x}\n"),
            "test.yaml:4: key 'models.m.routes[0].provider': no provider named 'ghost' is configured");
  EXPECT_EQ(error_of("providers: {p: {type: openai}}\nmodels:\n  m: {routes: []}\n"),
            "test.yaml:3: key 'models.m.routes': must be a non-empty list");
  EXPECT_EQ(error_of("auth: {keys: [{key: short}]}\n"),
            "test.yaml:1: key 'auth.keys[0].key': must be at least 8 characters");
  EXPECT_EQ(error_of("auth: {keys: [{key: sk-same-key-1}, {key: sk-same-key-1}]}\n"),
            "test.yaml:1: key 'auth.keys[1].key': is listed twice");
  EXPECT_EQ(error_of("timeouts: {connect_ms: 0}\n"),
            "test.yaml:1: key 'timeouts.connect_ms': must be between 1 and 86400000 (got 0)");
  EXPECT_EQ(error_of("providers: {p: {type: openai, api_key: '${UNCLOSED'}}\n"),
            "test.yaml:1: key 'providers.p.api_key': unterminated ${ in value");
  EXPECT_EQ(error_of("listen: [\n"), "test.yaml:2: invalid YAML: end of sequence flow not found");
  EXPECT_EQ(error_of(""), "test.yaml: the file is empty");
}

TEST(Config, ReadsTheAccessLogAndTelemetry) {
  Config c = parse_config(
      "access_log: stdout\ntelemetry: {otlp_endpoint: 'http://127.0.0.1:4318', protocol: http/json, "
      "sample_ratio: 0.25}\n",
      "t.yaml");
  EXPECT_EQ(c.access_log, "stdout");
  EXPECT_EQ(c.telemetry.otlp_endpoint, "http://127.0.0.1:4318");
  EXPECT_DOUBLE_EQ(c.telemetry.sample_ratio, 0.25);
  EXPECT_TRUE(parse_config("providers: {}\n", "min.yaml").telemetry.otlp_endpoint.empty()) << "traces off by default";
  EXPECT_EQ(error_of("telemetry: {otlp_endpoint: 'https://collector:4318'}\n"),
            "test.yaml:1: key 'telemetry.otlp_endpoint': must be an http:// URL of an OTLP/HTTP collector (https is "
            "not supported yet: use a local collector)");
  EXPECT_EQ(error_of("telemetry: {protocol: grpc}\n"),
            "test.yaml:1: key 'telemetry.protocol': must be http/json (http/protobuf is not supported yet)");
  EXPECT_EQ(error_of("telemetry: {sample_ratio: 2}\n"),
            "test.yaml:1: key 'telemetry.sample_ratio': must be between 0 and 1");
  EXPECT_EQ(error_of("telemetry: {exporter: zipkin}\n"),
            "test.yaml:1: key 'telemetry.exporter': unknown key (expected one of: otlp_endpoint, protocol, "
            "sample_ratio)");
}

TEST(Config, ReadsFailureClassesContinuationSortAndTheCache) {
  Config c = parse_config(R"(
cache: {ttl_s: 60, max_mb: 8}
providers:
  oa: {type: openai, api_key: k}
  mi: {type: openai, base_url: 'https://api.mistral.ai/v1', api_key: k, prefill: prefix}
  an: {type: anthropic, api_key: k}
models:
  m/long: {routes: [{provider: an, model: claude-long}]}
  m/a:
    strategy: sort
    sort: tps
    continue_on_failure: true
    context_window: 32000
    on_failure: {context_window: [m/long], content_policy: fallback, rate_limit: return, outage: fallback}
    cache: {ttl_s: 5}
    routes: [{provider: oa, model: gpt}, {provider: mi, model: mistral}]
  m/own: {cache: {max_mb: 2}, routes: [{provider: oa, model: gpt}]}
  m/none: {cache: false, routes: [{provider: oa, model: gpt}]}
)",
                          "t.yaml");
  EXPECT_EQ(c.providers.at("oa").prefill, Prefill::none) << "OpenAI's API has no prefill";
  EXPECT_EQ(c.providers.at("mi").prefill, Prefill::prefix);
  EXPECT_EQ(c.providers.at("an").prefill, Prefill::assistant);
  const ModelConfig& m = c.models.at("m/a");
  EXPECT_EQ(m.strategy, Strategy::sort);
  EXPECT_EQ(m.sort_by, SortBy::tps);
  EXPECT_TRUE(m.continue_on_failure);
  EXPECT_EQ(m.context_window, 32000);
  EXPECT_EQ(m.on_failure.action(FailureClass::context_window), FailureAction::fallback);
  EXPECT_EQ(m.on_failure.larger_models, std::vector<std::string>{"m/long"});
  EXPECT_EQ(m.on_failure.action(FailureClass::content_policy), FailureAction::fallback);
  EXPECT_EQ(m.on_failure.action(FailureClass::rate_limit), FailureAction::give_back);
  EXPECT_EQ(m.on_failure.action(FailureClass::outage), FailureAction::fallback);
  EXPECT_EQ(m.on_failure.action(FailureClass::bad_request), FailureAction::give_back) << "the default";
  EXPECT_EQ(m.on_failure.action(FailureClass::auth), FailureAction::fallback) << "the default";
  ASSERT_TRUE(m.cache_settings(c.cache));
  EXPECT_EQ(m.cache_settings(c.cache)->ttl_s, 5);
  EXPECT_EQ(m.cache_settings(c.cache)->max_bytes, 8u << 20) << "no max_mb of its own: the global bound";
  EXPECT_TRUE(c.models.at("m/own").cache_settings(c.cache)->own_partition);
  EXPECT_FALSE(c.models.at("m/none").cache_settings(c.cache));
  EXPECT_EQ(c.models.at("m/long").cache_settings(c.cache)->ttl_s, 60);

  const std::string base =
      "providers: {oa: {type: openai, api_key: k}}\nmodels:\n  m/a:\n    routes: [{provider: oa, model: gpt}]\n";
  EXPECT_EQ(error_of(base + "    on_failure: {content_policy: retry}\n"),
            "test.yaml:5: key 'models.m/a.on_failure.content_policy': must be one of fallback, return (got 'retry')");
  EXPECT_EQ(error_of(base + "    on_failure: {context_window: [m/nope]}\n"),
            "test.yaml:5: key 'models.m/a.on_failure.context_window[0]': 'm/nope' is not another configured model or "
            "provider/model id");
  EXPECT_EQ(error_of(base + "    sort: ttft\n"), "test.yaml:5: key 'models.m/a.sort': needs strategy: sort");
  EXPECT_EQ(error_of("providers: {oa: {type: openai, api_key: k, prefill: maybe}}\n"),
            "test.yaml:1: key 'providers.oa.prefill': must be one of none, assistant, prefix, continue_final_message "
            "(got 'maybe')");
}

TEST(Config, MissingFileIsAnError) { EXPECT_THROW(load_config("/nonexistent/switchyard.yaml"), ConfigError); }

TEST(Config, ParsesHostPort) {
  auto v6 = parse_host_port("[::1]:8080");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 8080);
  EXPECT_FALSE(parse_host_port("localhost"));
  EXPECT_FALSE(parse_host_port("h:99999"));
  EXPECT_FALSE(parse_host_port(":80"));
}
