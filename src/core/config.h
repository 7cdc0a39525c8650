#pragma once
// The gateway's configuration: the YAML file, validated and resolved once at load time so the
// request path only reads plain fields. Loading never half-succeeds: any problem throws
// ConfigError naming the file, the key and what is wrong.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/sort_by.h"

#include "core/policy.h"

namespace switchyard {

struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct HostPort {
  std::string host;
  uint16_t port = 0;
};
// Parses "HOST:PORT" or "[V6]:PORT"; nullopt when malformed.
std::optional<HostPort> parse_host_port(std::string_view text);

struct Timeouts {
  std::chrono::milliseconds connect{5000};
  std::chrono::milliseconds first_byte{60000};  // from sending to the answer's header
  std::chrono::milliseconds idle{60000};        // between two pieces of an answer (stream chunks)
  std::chrono::milliseconds total{600000};
  std::chrono::milliseconds client{30000};  // a client must send each request within this
  std::chrono::milliseconds drain{10000};   // at SIGTERM, requests in flight may finish within this
};

struct RetryConfig {
  int max = 0;                                      // extra attempts on the same route
  std::chrono::milliseconds backoff{200};           // before the first retry; doubles each time
  std::chrono::milliseconds max_retry_after{2000};  // a longer 429 Retry-After falls over at once
};

struct BreakerConfig {
  int failures = 5;  // retryable failures in a row that open a route's circuit; 0: never
  std::chrono::seconds cooldown{30};
};

enum class ProviderType { openai, anthropic, gemini };
enum class FailureClass;
const char* to_string(ProviderType type);
const char* to_string(FailureClass kind);

// The client APIs a provider serves itself: a request in one of them reaches it as the client's
// own bytes (only the model replaced), and its answer goes back untranslated.
enum class WireApi : unsigned {
  chat_completions = 1,
  embeddings = 2,
  messages = 4,
  generate_content = 8,
  responses = 16,
  ai_gateway = 32  // the Vercel AI Gateway protocol: no provider speaks it, every request is translated
};
// What a provider type serves natively (OpenAI's Responses API aside: see `responses_api`).
unsigned native_apis_of(ProviderType type);

// Where a provider's base_url points, split once at load.
struct UpstreamEndpoint {
  bool tls = false;
  std::string host;
  uint16_t port = 0;
  std::string path_prefix;  // "/v1" for https://api.openai.com/v1, never with a trailing '/'
  std::string host_header;  // "host" or "host:port" when the port is not the scheme's default
  std::string pool_key;     // "scheme://host:port": connections to it are interchangeable
};

enum class Prefill { none, assistant, prefix, continue_final_message };

struct ProviderConfig {
  std::string name;
  ProviderType type = ProviderType::openai;
  std::string base_url;
  UpstreamEndpoint endpoint;
  std::string api_key;          // after ${VAR} expansion; empty when the provider needs none
  std::string disabled_reason;  // non-empty when the provider cannot be used (key variable unset)
  Timeouts timeouts;            // the global ones with this provider's own `timeouts` laid over
  bool byok = false;            // its key is the customer's own (records say so; cost is still list price)
  // WireApi flags: native_apis_of(type), plus responses for an OpenAI provider whose
  // `responses_api` is true (the default for api.openai.com; other OpenAI-compatible hosts are
  // sent Responses requests translated to chat unless they say they serve it).
  unsigned native_apis = 0;
  // `limits`: the provider's own quota (rpm, tpm); routing skips a route of this provider while
  // the gateway's traffic to it is at the quota, instead of collecting its 429s.
  Limits limits;
  // How this host continues a prefilled assistant turn (a stream cut mid-way is continued on it):
  // `prefill: none | assistant | prefix | continue_final_message`. Anthropic and Gemini continue a
  // final assistant (model) message; OpenAI's API does not (none, the default for openai); Mistral
  // and DeepSeek read `"prefix": true` on it; vLLM and SGLang `continue_final_message: true`;
  // OpenRouter and other hosts a final assistant message (assistant).
  Prefill prefill = Prefill::none;
  bool enabled() const { return disabled_reason.empty(); }
  bool speaks(WireApi api) const { return (native_apis & static_cast<unsigned>(api)) != 0; }
};

struct Price {
  double input_per_mtok = 0;                   // USD per 1M input tokens
  double output_per_mtok = 0;                  // USD per 1M output tokens
  std::optional<double> cache_read_per_mtok;   // absent: billed as input
  std::optional<double> cache_write_per_mtok;  // absent: billed as input
};

struct RouteConfig {
  std::string provider;
  std::string model;           // the upstream's model name
  double weight = 1;           // share of traffic under the `weighted` strategy
  std::optional<Price> price;  // this route's own list price (lowest-cost), else the model's
};

// How a model's routes are ordered for each request (routing/strategy.h).
enum class Strategy { ordered, weighted, lowest_latency, lowest_cost, sort };

// Why an attempt failed, read from its status and error body (routing/failure_class.h).
enum class FailureClass { outage, rate_limit, context_window, content_policy, bad_request, auth };
// What a model does with a failure of one class: try the same route again first (within
// `retries`, then the next route), the next route at once, or answer the client with the failure.
enum class FailureAction { retry, fallback, give_back };

// `on_failure: {outage, rate_limit, context_window, content_policy, bad_request, auth}` of a model.
// The defaults are what a gateway without the setting does: outages and 429s are retried then
// fallen over, an authentication or billing refusal falls over (another provider's key may do),
// a bad request, a content-policy refusal or a context overflow is given back.
struct FailurePolicy {
  FailureAction outage = FailureAction::retry;
  FailureAction rate_limit = FailureAction::retry;
  FailureAction context_window = FailureAction::give_back;
  FailureAction content_policy = FailureAction::give_back;
  FailureAction bad_request = FailureAction::give_back;
  FailureAction auth = FailureAction::fallback;
  // `context_window: [model ids]`: after a context overflow these models (with larger windows)
  // are tried in order instead of the rest of the plan; set means context_window is fallback.
  std::vector<std::string> larger_models;
  FailureAction action(FailureClass kind) const;
};

// `cache: {ttl_s, max_mb, tool_calls}`, global or per model (docs/routing.md, "Response cache").
struct CacheConfig {
  int64_t ttl_s = 300;                // how long an answer is served from the cache
  std::size_t max_bytes = 64u << 20;  // `max_mb`: the answers kept, in bytes (a model's own part when set on it)
  bool own_partition = false;         // the model set max_mb: its answers have their own bound
  bool tool_calls = false;            // answers that end in a tool call are kept too
};

struct ModelConfig {
  std::string id;
  std::vector<RouteConfig> routes;
  std::vector<std::string> fallbacks;  // other model ids, tried in order once every route failed
  std::optional<Price> price;
  Strategy strategy = Strategy::ordered;
  SortBy sort_by = SortBy::cost;  // with strategy sort
  Limits limits;                  // across every client of this model id
  FailurePolicy on_failure;
  // `continue_on_failure: true`: a stream cut after it began is continued on the next route that
  // can continue it (docs/routing.md, "Streams that survive their provider").
  bool continue_on_failure = false;
  // `context_window`: tokens its routes hold (input + output); else each route's from the model
  // catalogue. Routes that cannot hold a request are skipped, not tried.
  std::optional<int64_t> context_window;
  std::optional<CacheConfig> cache;  // its own cache settings; else the global `cache`, if any
  bool cache_off = false;            // `cache: false`: never served from or kept in the cache
  // The cache settings that apply to this model: its own, else `global`; nullopt: not cached.
  const std::optional<CacheConfig>& cache_settings(const std::optional<CacheConfig>& global) const {
    return cache_off ? kNoCache : cache ? cache : global;
  }
  static inline const std::optional<CacheConfig> kNoCache{};
};

// A routing rule: when a chat request matches every condition set, it goes to `then` instead of
// the model it named. Rules are tried in order; the first match wins.
struct RoutingRule {
  std::optional<std::string> model;  // only requests naming this model id (or alias)
  std::optional<bool> has_images;
  std::optional<bool> has_tools;
  std::optional<std::size_t> estimated_input_tokens_gt;
  std::vector<std::pair<std::string, std::string>> headers;  // lower-case name, exact value
  std::string then;
};

// A name clients use for a model id; several targets split traffic by percent (a canary).
struct AliasTarget {
  std::string model_id;
  double percent = 100;
};

// A gateway key, from the file (`auth.keys`) or the admin API (the record store).
struct ApiKey {
  std::string sha256;  // raw digest bytes of the key: the key itself is never kept
  std::string team;
  // Short, loggable: the file's keys use the digest's first 8 hex digits, the admin API's
  // "key_" and its first 16.
  std::string key_id;
  std::string name, user;  // user: requests on this key are this user's (unless they name one)
  std::string prefix;      // the secret's first characters, to tell keys apart in lists
  AccessPolicy access;
  std::optional<int64_t> expires_ms;  // Unix ms after which the key is refused
  bool revoked = false;
  std::string metadata = "{}";  // a JSON object, as given
  int64_t created_ms = 0, updated_ms = 0;
  bool from_file = true;  // listed in the YAML file (the admin API cannot change it)
};

// A family of bare model names (data/model_catalogue.yaml): names starting with `prefix` go to the
// listed providers, or else to every provider of `type` (at `host`, when one is given: many hosts
// speak OpenAI's API, and only OpenAI serves its models).
struct ModelFamily {
  std::string prefix;
  ProviderType type = ProviderType::openai;
  std::string host;                    // e.g. api.openai.com; empty: any host
  std::vector<std::string> providers;  // non-empty: these, in this order, instead of all of `type`
};

// The built-in catalogue's YAML (data/model_catalogue.yaml, compiled in): `families` and `models`.
const std::string& builtin_catalogue_yaml();

class PriceTable;

// `telemetry: {otlp_endpoint, protocol: http/json, sample_ratio}`: traces over OTLP/HTTP.
struct Telemetry {
  std::string otlp_endpoint;  // http://HOST:PORT[/PATH]; empty: no traces
  double sample_ratio = 1.0;  // of new traces; a client's traceparent decides for its own
};

struct Config {
  std::string source_path;
  HostPort listen{"127.0.0.1", 8080};
  unsigned threads = 0;  // 0 = one per CPU core
  std::vector<ApiKey> keys;
  std::string storage = "sqlite:./switchyard.db";
  // Where records wait while the store is down; empty: beside the SQLite file, or
  // ./switchyard-records.journal for PostgreSQL. Put it on another filesystem to survive a full disk.
  std::string journal;
  Timeouts timeouts;
  RetryConfig retries;
  BreakerConfig breaker;
  std::size_t max_body_bytes = 32u << 20;
  std::size_t max_upstream_body_bytes = 64u << 20;   // a whole upstream answer; over it: 502
  std::size_t max_upstream_event_bytes = 16u << 20;  // one event of an upstream stream; over it: 502
  // `responses: {store, retention_days}`: whether Responses API conversations asked to be stored
  // (store: true, OpenAI's default) are kept in the record store, and for how long.
  bool store_responses = true;
  int response_retention_days = 30;
  std::map<std::string, ProviderConfig, std::less<>> providers;
  std::map<std::string, ModelConfig, std::less<>> models;
  std::map<std::string, std::vector<AliasTarget>, std::less<>> aliases;
  std::vector<RoutingRule> rules;
  std::vector<ModelFamily> families;  // `families:`, else data/model_catalogue.yaml
  // The family a bare model name belongs to (the longest prefix that fits), or nullptr.
  const ModelFamily* family_of(std::string_view model) const;
  // The providers a bare model name goes to, in order (enabled or not); empty when none.
  std::vector<const ProviderConfig*> family_providers(std::string_view model) const;
  std::shared_ptr<const PriceTable> prices;  // data/prices.yaml (built in) or the file `prices:` names
  std::string admin_key_sha256;              // `admin_key`: sees every team's records
  // `teams: {acme: {segment: b2b, limits, budget, user_limits, user_budget}}`; the admin API adds more.
  std::map<std::string, TeamPolicy, std::less<>> teams;
  std::map<std::string, std::string> team_segments;  // each team's `segment` (analytics)
  // `state: redis://HOST:PORT/DB`: where limits, budgets and routing health are shared by every
  // replica; empty: inside this process only.
  std::string state;
  // `governance: {on_state_down: open | closed}`: with the shared state unreachable, serve on
  // this replica's own counts (open) or refuse with 503 (closed).
  bool fail_closed = false;
  std::optional<HostPort> simulator_listen;  // run the provider simulator in-process here
  // `access_log: stdout | PATH`: one JSON line per request, written off the request path
  // (docs/observability.md); empty: none.
  std::string access_log;
  Telemetry telemetry;
  // `cache:` the response cache for every model (a model's own `cache` overrides it; `cache:
  // false` on a model turns it off there); nullopt: no cache unless a model sets one.
  std::optional<CacheConfig> cache;
};

// Reads and validates the file; `${VAR}` and `${VAR:-default}` in any string come from the environment.
Config load_config(const std::string& path);
// The same from YAML text; `source_name` names it in error messages.
Config parse_config(const std::string& yaml_text, const std::string& source_name);

}  // namespace switchyard
