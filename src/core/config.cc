#include "core/config.h"

#include <yaml-cpp/yaml.h>

#include <fmt/format.h>
#include <boost/url/parse.hpp>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include <boost/json.hpp>

#include "core/calendar.h"
#include "core/digest.h"
#include "core/prices.h"

namespace switchyard {
const char* to_string(FailureClass kind) {
  switch (kind) {
    case FailureClass::outage: return "outage";
    case FailureClass::rate_limit: return "rate_limit";
    case FailureClass::context_window: return "context_window";
    case FailureClass::content_policy: return "content_policy";
    case FailureClass::bad_request: return "bad_request";
    case FailureClass::auth: return "auth";
  }
  return "?";
}

FailureAction FailurePolicy::action(FailureClass kind) const {
  switch (kind) {
    case FailureClass::outage: return outage;
    case FailureClass::rate_limit: return rate_limit;
    case FailureClass::context_window: return context_window;
    case FailureClass::content_policy: return content_policy;
    case FailureClass::bad_request: return bad_request;
    case FailureClass::auth: return auth;
  }
  return FailureAction::give_back;
}

namespace {

// Carries the file name and the dotted key path so every error says where it is.
class Reader {
 public:
  explicit Reader(std::string source) : source_(std::move(source)) {}

  [[noreturn]] void fail(const YAML::Node& node, const std::string& key, const std::string& what) const {
    std::string where = source_;
    if (node.IsDefined() && node.Mark().line >= 0) where += fmt::format(":{}", node.Mark().line + 1);
    throw ConfigError(fmt::format("{}: key '{}': {}", where, key, what));
  }

  void only_keys(const YAML::Node& map, const std::string& key, std::initializer_list<const char*> allowed) const {
    if (!map.IsMap()) fail(map, key, "must be a mapping");
    for (const auto& item : map) {
      auto name = item.first.as<std::string>();
      bool known = false;
      for (const char* a : allowed) known = known || name == a;
      if (!known) {
        std::string list;
        for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        fail(item.first, join(key, name), fmt::format("unknown key (expected one of: {})", list));
      }
    }
  }

  std::string string(const YAML::Node& node, const std::string& key) const {
    if (!node.IsScalar()) fail(node, key, "must be a string");
    return expand_env(node, key, node.Scalar());
  }

  bool flag(const YAML::Node& node, const std::string& key) const {
    std::string text = string(node, key);
    if (text != "true" && text != "false") fail(node, key, "must be true or false");
    return text == "true";
  }

  template <class Int>
  Int integer(const YAML::Node& node, const std::string& key, Int min, Int max) const {
    if (!node.IsScalar()) fail(node, key, "must be a number");
    std::string text = expand_env(node, key, node.Scalar());
    long long value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size())
      fail(node, key, fmt::format("must be a whole number (got '{}')", text));
    if (value < static_cast<long long>(min) || value > static_cast<long long>(max))
      fail(node, key, fmt::format("must be between {} and {} (got {})", min, max, value));
    return static_cast<Int>(value);
  }

  double number(const YAML::Node& node, const std::string& key) const {
    if (!node.IsScalar()) fail(node, key, "must be a number");
    std::string text = expand_env(node, key, node.Scalar());
    double value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < 0)
      fail(node, key, fmt::format("must be a non-negative number (got '{}')", text));
    return value;
  }

  static std::string join(const std::string& parent, const std::string& child) {
    return parent.empty() ? child : parent + "." + child;
  }

  // Replaces ${VAR} and ${VAR:-default}. An unset VAR without default becomes empty and is
  // remembered in `unset_`, so a provider can say which variable would enable it.
  std::string expand_env(const YAML::Node& node, const std::string& key, const std::string& text) const {
    std::string out;
    std::size_t pos = 0;
    while (true) {
      std::size_t open = text.find("${", pos);
      if (open == std::string::npos) break;
      std::size_t close = text.find('}', open);
      if (close == std::string::npos) fail(node, key, "unterminated ${ in value");
      out.append(text, pos, open - pos);
      std::string inner = text.substr(open + 2, close - open - 2);
      std::string name = inner, fallback;
      bool has_fallback = false;
      if (auto sep = inner.find(":-"); sep != std::string::npos) {
        name = inner.substr(0, sep);
        fallback = inner.substr(sep + 2);
        has_fallback = true;
      }
      if (name.empty()) fail(node, key, "empty variable name in ${}");
      const char* value = std::getenv(name.c_str());
      if (value && *value) {
        out += value;
      } else if (has_fallback) {
        out += fallback;
      } else {
        last_unset_ = name;
      }
      pos = close + 1;
    }
    out.append(text, pos);
    return out;
  }

  mutable std::string last_unset_;

 private:
  std::string source_;
};

// A YAML subtree as JSON, so the file and the admin API share one reader of limits and budgets
// (core/policy.h): scalars become numbers, booleans or null where they read as one.
boost::json::value yaml_json(const Reader& r, const YAML::Node& node, const std::string& key) {
  if (node.IsMap()) {
    boost::json::object out;
    for (const auto& item : node) {
      auto name = item.first.as<std::string>();
      out[name] = yaml_json(r, item.second, Reader::join(key, name));
    }
    return out;
  }
  if (node.IsSequence()) {
    boost::json::array out;
    for (std::size_t i = 0; i < node.size(); ++i) out.push_back(yaml_json(r, node[i], fmt::format("{}[{}]", key, i)));
    return out;
  }
  if (!node.IsScalar() || node.Tag() == "!" || node.Scalar() == "~" || node.Scalar() == "null")
    return node.IsScalar() && node.Tag() == "!" ? boost::json::value(node.Scalar()) : boost::json::value(nullptr);
  std::string text = r.string(node, key);
  if (text == "true" || text == "false") return text == "true";
  long long whole = 0;
  if (auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), whole);
      ec == std::errc() && end == text.data() + text.size())
    return static_cast<int64_t>(whole);
  double real = 0;
  if (auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), real);
      ec == std::errc() && end == text.data() + text.size())
    return real;
  return boost::json::value(text);
}

Limits parse_limits(const Reader& r, const YAML::Node& node, const std::string& key) {
  Limits limits;
  if (auto problem = read_limits(yaml_json(r, node, key), key, limits)) r.fail(node, key, *problem);
  return limits;
}

Budget parse_budget(const Reader& r, const YAML::Node& node, const std::string& key) {
  Budget budget;
  if (auto problem = read_budget(yaml_json(r, node, key), key, budget)) r.fail(node, key, *problem);
  return budget;
}

std::vector<std::string> string_list(const Reader& r, const YAML::Node& node, const std::string& key) {
  if (!node.IsSequence()) r.fail(node, key, "must be a list of names");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < node.size(); ++i) out.push_back(r.string(node[i], fmt::format("{}[{}]", key, i)));
  return out;
}

std::chrono::milliseconds millis(const Reader& r, const YAML::Node& node, const std::string& key) {
  return std::chrono::milliseconds(r.integer<long long>(node, key, 1, 24LL * 3600 * 1000));
}

// `timeouts:` keys laid over `base` (the defaults, or the global ones for a provider's own).
Timeouts parse_timeouts(const Reader& r, const YAML::Node& t, const std::string& key, Timeouts base, bool global) {
  if (global)
    r.only_keys(t, key, {"connect_ms", "first_byte_ms", "idle_ms", "total_ms", "client_ms", "drain_ms"});
  else
    r.only_keys(t, key, {"connect_ms", "first_byte_ms", "idle_ms", "total_ms"});
  if (t["connect_ms"]) base.connect = millis(r, t["connect_ms"], key + ".connect_ms");
  if (t["first_byte_ms"]) base.first_byte = millis(r, t["first_byte_ms"], key + ".first_byte_ms");
  if (t["idle_ms"]) base.idle = millis(r, t["idle_ms"], key + ".idle_ms");
  if (t["total_ms"]) base.total = millis(r, t["total_ms"], key + ".total_ms");
  if (t["client_ms"]) base.client = millis(r, t["client_ms"], key + ".client_ms");
  if (t["drain_ms"]) base.drain = millis(r, t["drain_ms"], key + ".drain_ms");
  return base;
}

Price parse_price(const Reader& r, const YAML::Node& price, const std::string& key) {
  r.only_keys(price, key, {"input", "output", "cache_read", "cache_write"});
  Price p;
  if (price["input"]) p.input_per_mtok = r.number(price["input"], key + ".input");
  if (price["output"]) p.output_per_mtok = r.number(price["output"], key + ".output");
  if (price["cache_read"]) p.cache_read_per_mtok = r.number(price["cache_read"], key + ".cache_read");
  if (price["cache_write"]) p.cache_write_per_mtok = r.number(price["cache_write"], key + ".cache_write");
  return p;
}

UpstreamEndpoint parse_base_url(const Reader& r, const YAML::Node& node, const std::string& key,
                                const std::string& url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) r.fail(node, key, fmt::format("not a valid URL: '{}'", url));
  UpstreamEndpoint ep;
  std::string scheme = parsed->scheme();
  if (scheme == "https") {
    ep.tls = true;
    ep.port = 443;
  } else if (scheme == "http") {
    ep.port = 80;
  } else {
    r.fail(node, key, fmt::format("scheme must be http or https (got '{}')", scheme));
  }
  ep.host = parsed->host_address();
  if (ep.host.empty()) r.fail(node, key, fmt::format("URL has no host: '{}'", url));
  if (parsed->has_port()) {
    if (parsed->port_number() == 0) r.fail(node, key, fmt::format("bad port in URL: '{}'", url));
    ep.port = parsed->port_number();
  }
  ep.path_prefix = parsed->encoded_path();
  while (!ep.path_prefix.empty() && ep.path_prefix.back() == '/') ep.path_prefix.pop_back();
  ep.host_header = ep.port == (ep.tls ? 443 : 80) ? ep.host : fmt::format("{}:{}", ep.host, ep.port);
  ep.pool_key = fmt::format("{}://{}:{}", scheme, ep.host, ep.port);
  return ep;
}

ProviderType parse_provider_type(const Reader& r, const YAML::Node& node, const std::string& key) {
  std::string text = r.string(node, key);
  if (text == "openai") return ProviderType::openai;
  if (text == "anthropic") return ProviderType::anthropic;
  if (text == "gemini") return ProviderType::gemini;
  r.fail(node, key, fmt::format("must be one of openai, anthropic, gemini (got '{}')", text));
}

}  // namespace

unsigned native_apis_of(ProviderType type) {
  switch (type) {
    case ProviderType::openai:
      return static_cast<unsigned>(WireApi::chat_completions) | static_cast<unsigned>(WireApi::embeddings);
    case ProviderType::anthropic: return static_cast<unsigned>(WireApi::messages);
    case ProviderType::gemini: return static_cast<unsigned>(WireApi::generate_content);
  }
  return 0;
}

namespace {

std::string default_base_url(ProviderType type) {
  switch (type) {
    case ProviderType::openai: return "https://api.openai.com/v1";
    case ProviderType::anthropic: return "https://api.anthropic.com";
    case ProviderType::gemini: return "https://generativelanguage.googleapis.com";
  }
  return {};
}

Prefill parse_prefill(const Reader& r, const YAML::Node& node, const std::string& key) {
  std::string text = r.string(node, key);
  if (text == "none") return Prefill::none;
  if (text == "assistant") return Prefill::assistant;
  if (text == "prefix") return Prefill::prefix;
  if (text == "continue_final_message") return Prefill::continue_final_message;
  r.fail(node, key, fmt::format("must be one of none, assistant, prefix, continue_final_message (got '{}')", text));
}

// `cache: {ttl_s, max_mb, tool_calls}`; `model` says whether it is a model's (whose max_mb is its own part).
CacheConfig parse_cache(const Reader& r, const YAML::Node& node, const std::string& key, bool model) {
  if (!node.IsMap())
    r.fail(node, key, model ? "must be {ttl_s, max_mb, tool_calls} or false" : "must be {ttl_s, max_mb, tool_calls}");
  r.only_keys(node, key, {"ttl_s", "max_mb", "tool_calls"});
  CacheConfig cache;
  if (node["ttl_s"]) cache.ttl_s = r.integer<int64_t>(node["ttl_s"], key + ".ttl_s", 1, 365LL * 24 * 3600);
  if (node["max_mb"]) {
    cache.max_bytes = r.integer<std::size_t>(node["max_mb"], key + ".max_mb", 1, 1 << 20) << 20;
    cache.own_partition = model;
  }
  if (node["tool_calls"]) cache.tool_calls = r.flag(node["tool_calls"], key + ".tool_calls");
  return cache;
}

FailureAction parse_failure_action(const Reader& r, const YAML::Node& node, const std::string& key, bool can_retry) {
  std::string text = r.string(node, key);
  if (text == "fallback") return FailureAction::fallback;
  if (text == "return") return FailureAction::give_back;
  if (text == "retry" && can_retry) return FailureAction::retry;
  r.fail(node, key, fmt::format("must be one of {}fallback, return (got '{}')", can_retry ? "retry, " : "", text));
}

// `on_failure:` of a model; `context_window` may also be a list of larger model ids.
FailurePolicy parse_on_failure(const Reader& r, const YAML::Node& node, const std::string& key) {
  if (!node.IsMap()) r.fail(node, key, "must be a mapping of failure class -> action");
  r.only_keys(node, key, {"outage", "rate_limit", "context_window", "content_policy", "bad_request", "auth"});
  FailurePolicy policy;
  if (node["outage"]) policy.outage = parse_failure_action(r, node["outage"], key + ".outage", true);
  if (node["rate_limit"]) policy.rate_limit = parse_failure_action(r, node["rate_limit"], key + ".rate_limit", true);
  if (node["content_policy"])
    policy.content_policy = parse_failure_action(r, node["content_policy"], key + ".content_policy", false);
  if (node["bad_request"])
    policy.bad_request = parse_failure_action(r, node["bad_request"], key + ".bad_request", false);
  if (node["auth"]) policy.auth = parse_failure_action(r, node["auth"], key + ".auth", false);
  if (const YAML::Node& context = node["context_window"]) {
    if (context.IsSequence()) {
      if (context.size() == 0) r.fail(context, key + ".context_window", "must name at least one model id");
      for (std::size_t i = 0; i < context.size(); ++i)
        policy.larger_models.push_back(r.string(context[i], fmt::format("{}.context_window[{}]", key, i)));
      policy.context_window = FailureAction::fallback;
    } else {
      policy.context_window = parse_failure_action(r, context, key + ".context_window", false);
    }
  }
  return policy;
}

ProviderConfig parse_provider(const Reader& r, const std::string& name, const YAML::Node& node,
                              const Timeouts& global) {
  const std::string key = "providers." + name;
  r.only_keys(node, key, {"type", "base_url", "api_key", "timeouts", "byok", "responses_api", "limits", "prefill"});
  if (name.empty() || name.find('/') != std::string::npos)
    r.fail(node, key, "a provider name must be non-empty and contain no '/'");
  ProviderConfig p;
  p.name = name;
  if (!node["type"]) r.fail(node, key + ".type", "is required");
  p.type = parse_provider_type(r, node["type"], key + ".type");
  p.native_apis = native_apis_of(p.type);
  p.base_url = node["base_url"] ? r.string(node["base_url"], key + ".base_url") : default_base_url(p.type);
  p.endpoint = parse_base_url(r, node["base_url"] ? node["base_url"] : node, key + ".base_url", p.base_url);
  if (node["byok"]) p.byok = r.flag(node["byok"], key + ".byok");
  if (node["limits"]) {
    p.limits = parse_limits(r, node["limits"], key + ".limits");
    if (p.limits.concurrent || p.limits.input_tpm || p.limits.output_tpm)
      r.fail(node["limits"], key + ".limits", "a provider's quota takes rpm and tpm");
  }
  bool responses = p.type == ProviderType::openai && p.endpoint.host == "api.openai.com";
  if (node["responses_api"]) {
    responses = r.flag(node["responses_api"], key + ".responses_api");
    if (responses && p.type != ProviderType::openai)
      r.fail(node["responses_api"], key + ".responses_api", "only an openai provider can serve the Responses API");
  }
  if (responses) p.native_apis |= static_cast<unsigned>(WireApi::responses);
  p.prefill = p.type == ProviderType::openai ? Prefill::none : Prefill::assistant;
  if (node["prefill"]) p.prefill = parse_prefill(r, node["prefill"], key + ".prefill");
  p.timeouts = node["timeouts"] ? parse_timeouts(r, node["timeouts"], key + ".timeouts", global, false) : global;
  if (node["api_key"]) {
    r.last_unset_.clear();
    p.api_key = r.string(node["api_key"], key + ".api_key");
    // The key is written into request heads: a line break (a stray newline in an environment
    // variable, say) would end the head early.
    if (p.api_key.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos)
      r.fail(node["api_key"], key + ".api_key", "must not contain a line break or NUL");
    if (p.api_key.empty())
      p.disabled_reason = r.last_unset_.empty() ? "its api_key is empty"
                                                : fmt::format("environment variable {} is not set", r.last_unset_);
  }
  return p;
}

RouteConfig parse_route(const Reader& r, const Config& config, const YAML::Node& node, const std::string& key) {
  r.only_keys(node, key, {"provider", "model", "weight", "price"});
  if (!node["provider"]) r.fail(node, key + ".provider", "is required");
  if (!node["model"]) r.fail(node, key + ".model", "is required");
  RouteConfig route{r.string(node["provider"], key + ".provider"), r.string(node["model"], key + ".model")};
  if (node["weight"]) route.weight = r.number(node["weight"], key + ".weight");
  if (node["price"]) route.price = parse_price(r, node["price"], key + ".price");
  if (!config.providers.contains(route.provider))
    r.fail(node["provider"], key + ".provider", fmt::format("no provider named '{}' is configured", route.provider));
  if (route.model.empty()) r.fail(node["model"], key + ".model", "must not be empty");
  return route;
}

SortBy parse_sort_by(const Reader& r, const YAML::Node& node, const std::string& key) {
  std::string text = r.string(node, key);
  if (auto sort = sort_by_named(text)) return *sort;
  r.fail(node, key, fmt::format("must be one of cost, ttft, tps (got '{}')", text));
}

ModelConfig parse_model(const Reader& r, const Config& config, const std::string& id, const YAML::Node& node) {
  const std::string key = "models." + id;
  r.only_keys(node, key,
              {"routes", "fallbacks", "price", "strategy", "sort", "limits", "on_failure", "continue_on_failure",
               "context_window", "cache"});
  ModelConfig m;
  m.id = id;
  if (node["limits"]) m.limits = parse_limits(r, node["limits"], key + ".limits");
  if (node["on_failure"]) m.on_failure = parse_on_failure(r, node["on_failure"], key + ".on_failure");
  if (node["continue_on_failure"])
    m.continue_on_failure = r.flag(node["continue_on_failure"], key + ".continue_on_failure");
  if (node["context_window"])
    m.context_window = r.integer<int64_t>(node["context_window"], key + ".context_window", 1, 1LL << 40);
  if (const YAML::Node& cache = node["cache"]) {
    if (cache.IsScalar() && !r.flag(cache, key + ".cache"))
      m.cache_off = true;
    else if (!cache.IsScalar()) {
      m.cache = parse_cache(r, cache, key + ".cache", true);
      // Without its own max_mb, its answers share the global bound (cache: is read before models).
      if (!m.cache->own_partition && config.cache) m.cache->max_bytes = config.cache->max_bytes;
    } else
      r.fail(cache, key + ".cache", "must be {ttl_s, max_mb, tool_calls} or false");
  }
  if (node["sort"]) m.sort_by = parse_sort_by(r, node["sort"], key + ".sort");
  if (node["strategy"]) {
    std::string text = r.string(node["strategy"], key + ".strategy");
    if (text == "ordered")
      m.strategy = Strategy::ordered;
    else if (text == "weighted")
      m.strategy = Strategy::weighted;
    else if (text == "lowest-latency")
      m.strategy = Strategy::lowest_latency;
    else if (text == "lowest-cost")
      m.strategy = Strategy::lowest_cost;
    else if (text == "sort")
      m.strategy = Strategy::sort;
    else
      r.fail(node["strategy"], key + ".strategy",
             fmt::format("must be one of ordered, weighted, lowest-latency, lowest-cost, sort (got '{}')", text));
  }
  if (node["sort"] && m.strategy != Strategy::sort) r.fail(node["sort"], key + ".sort", "needs strategy: sort");
  const YAML::Node& routes = node["routes"];
  if (!routes || !routes.IsSequence() || routes.size() == 0) r.fail(node, key + ".routes", "must be a non-empty list");
  for (std::size_t i = 0; i < routes.size(); ++i)
    m.routes.push_back(parse_route(r, config, routes[i], fmt::format("{}.routes[{}]", key, i)));
  if (const YAML::Node& fallbacks = node["fallbacks"]) {
    if (!fallbacks.IsSequence()) r.fail(fallbacks, key + ".fallbacks", "must be a list of model ids");
    for (std::size_t i = 0; i < fallbacks.size(); ++i)
      m.fallbacks.push_back(r.string(fallbacks[i], fmt::format("{}.fallbacks[{}]", key, i)));
  }
  if (node["price"]) m.price = parse_price(r, node["price"], key + ".price");
  if (m.strategy == Strategy::weighted) {
    double total = 0;
    for (const auto& route : m.routes) total += route.weight;
    if (total <= 0) r.fail(routes, key + ".routes", "the weights of a weighted model must not all be 0");
  }
  return m;
}

template <class Servable>
RoutingRule parse_rule(const Reader& r, const YAML::Node& node, const std::string& key, const Servable& servable) {
  r.only_keys(node, key, {"if", "then"});
  const YAML::Node& when = node["if"];
  if (!when) r.fail(node, key + ".if", "is required");
  r.only_keys(when, key + ".if", {"model", "has_images", "has_tools", "estimated_input_tokens_gt", "header"});
  if (when.size() == 0) r.fail(when, key + ".if", "needs at least one condition");
  auto flag = [&](const char* name) -> std::optional<bool> {
    const YAML::Node& value = when[name];
    if (!value) return std::nullopt;
    return r.flag(value, key + ".if." + name);
  };
  RoutingRule rule;
  if (when["model"]) rule.model = r.string(when["model"], key + ".if.model");
  rule.has_images = flag("has_images");
  rule.has_tools = flag("has_tools");
  if (when["estimated_input_tokens_gt"])
    rule.estimated_input_tokens_gt = r.integer<std::size_t>(
        when["estimated_input_tokens_gt"], key + ".if.estimated_input_tokens_gt", 0, std::size_t{1} << 40);
  if (const YAML::Node& headers = when["header"]) {
    if (!headers.IsMap() || headers.size() == 0)
      r.fail(headers, key + ".if.header", "must be a mapping of header name -> value");
    for (const auto& item : headers) {
      std::string name = item.first.as<std::string>();
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string field = key;
      field.append(".if.header.").append(name);
      rule.headers.emplace_back(name, r.string(item.second, field));
    }
  }
  if (!node["then"]) r.fail(node, key + ".then", "is required");
  rule.then = r.string(node["then"], key + ".then");
  if (!servable(rule.then))
    r.fail(node["then"], key + ".then",
           fmt::format("'{}' is not a configured model, alias or provider/model id", rule.then));
  return rule;
}

}  // namespace

std::optional<HostPort> parse_host_port(std::string_view text) {
  std::string_view host, port;
  if (text.starts_with('[')) {
    auto close = text.find("]:");
    if (close == std::string_view::npos) return std::nullopt;
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (host.empty() || ec != std::errc() || end != port.data() + port.size() || value > 65535) return std::nullopt;
  return HostPort{std::string(host), static_cast<uint16_t>(value)};
}

const char* to_string(ProviderType type) {
  switch (type) {
    case ProviderType::openai: return "openai";
    case ProviderType::anthropic: return "anthropic";
    case ProviderType::gemini: return "gemini";
  }
  return "?";
}

namespace {

// `families:` (data/model_catalogue.yaml's form): a list of {prefix, type} or {prefix, providers}.
std::vector<ModelFamily> parse_families(const Reader& r, const YAML::Node& node, const std::string& key,
                                        const Config& config) {
  if (!node.IsSequence()) r.fail(node, key, "must be a list of {prefix, type} or {prefix, providers}");
  std::vector<ModelFamily> families;
  for (std::size_t i = 0; i < node.size(); ++i) {
    const std::string at = fmt::format("{}[{}]", key, i);
    r.only_keys(node[i], at, {"prefix", "type", "host", "providers"});
    if (!node[i]["prefix"]) r.fail(node[i], at + ".prefix", "is required");
    ModelFamily family;
    family.prefix = r.string(node[i]["prefix"], at + ".prefix");
    if (family.prefix.empty()) r.fail(node[i]["prefix"], at + ".prefix", "must not be empty");
    if (node[i]["type"].IsDefined() == node[i]["providers"].IsDefined())  // both, or neither
      r.fail(node[i], at, "needs either a type or a list of providers");
    if (node[i]["type"]) family.type = parse_provider_type(r, node[i]["type"], at + ".type");
    if (node[i]["host"]) family.host = r.string(node[i]["host"], at + ".host");
    if (const YAML::Node& providers = node[i]["providers"]) {
      if (!providers.IsSequence() || providers.size() == 0)
        r.fail(providers, at + ".providers", "must be a non-empty list of provider names");
      for (std::size_t p = 0; p < providers.size(); ++p) {
        std::string name = r.string(providers[p], fmt::format("{}.providers[{}]", at, p));
        if (!config.providers.contains(name))
          r.fail(providers[p], fmt::format("{}.providers[{}]", at, p), fmt::format("no provider is named '{}'", name));
        family.providers.push_back(std::move(name));
      }
    }
    families.push_back(std::move(family));
  }
  return families;
}

}  // namespace

Config parse_config(const std::string& yaml_text, const std::string& source_name) {
  Reader r(source_name);
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    throw ConfigError(fmt::format("{}:{}: invalid YAML: {}", source_name, e.mark.line + 1, e.msg));
  }
  if (!root.IsDefined() || root.IsNull()) throw ConfigError(source_name + ": the file is empty");
  r.only_keys(root, "",
              {"listen", "threads",   "auth",     "storage", "journal",    "timeouts",   "retries",   "circuit_breaker",
               "limits", "providers", "models",   "aliases", "rules",      "simulator",  "prices",    "admin_key",
               "teams",  "responses", "families", "state",   "governance", "access_log", "telemetry", "cache"});

  Config config;
  config.source_path = source_name;
  auto host_port = [&](const YAML::Node& node, const std::string& key) {
    std::string text = r.string(node, key);
    auto hp = parse_host_port(text);
    if (!hp) r.fail(node, key, fmt::format("must be HOST:PORT (got '{}')", text));
    return *hp;
  };
  if (root["listen"]) config.listen = host_port(root["listen"], "listen");
  if (root["threads"]) config.threads = r.integer<unsigned>(root["threads"], "threads", 1, 1024);
  if (root["storage"]) config.storage = r.string(root["storage"], "storage");
  if (root["journal"]) config.journal = r.string(root["journal"], "journal");
  if (const YAML::Node& responses = root["responses"]) {
    r.only_keys(responses, "responses", {"store", "retention_days"});
    if (responses["store"]) config.store_responses = r.flag(responses["store"], "responses.store");
    if (responses["retention_days"])
      config.response_retention_days = r.integer<int>(responses["retention_days"], "responses.retention_days", 1, 3650);
  }
  if (root["admin_key"]) {
    std::string secret = r.string(root["admin_key"], "admin_key");  // empty (an unset variable): no admin key
    if (!secret.empty() && secret.size() < 8) r.fail(root["admin_key"], "admin_key", "must be at least 8 characters");
    if (!secret.empty()) config.admin_key_sha256 = sha256(secret);
  }
  if (const YAML::Node& teams = root["teams"]) {
    if (!teams.IsMap()) r.fail(teams, "teams", "must be a mapping of team -> {segment, limits, budget, ...}");
    for (const auto& item : teams) {
      const std::string key = "teams." + item.first.as<std::string>();
      const YAML::Node& node = item.second;
      r.only_keys(node, key, {"segment", "limits", "budget", "models", "providers", "user_limits", "user_budget"});
      TeamPolicy team;
      team.name = item.first.as<std::string>();
      if (node["segment"]) team.segment = config.team_segments[team.name] = r.string(node["segment"], key + ".segment");
      if (node["limits"]) team.access.limits = parse_limits(r, node["limits"], key + ".limits");
      if (node["budget"]) team.access.budget = parse_budget(r, node["budget"], key + ".budget");
      if (node["models"]) team.access.models = string_list(r, node["models"], key + ".models");
      if (node["providers"]) team.access.providers = string_list(r, node["providers"], key + ".providers");
      if (node["user_limits"]) team.user_limits = parse_limits(r, node["user_limits"], key + ".user_limits");
      if (node["user_budget"]) team.user_budget = parse_budget(r, node["user_budget"], key + ".user_budget");
      config.teams[team.name] = std::move(team);
    }
  }
  if (root["state"]) {
    config.state = r.string(root["state"], "state");
    if (!config.state.empty() && !config.state.starts_with("redis://"))
      r.fail(root["state"], "state", "must be redis://HOST:PORT[/DB] (or absent: state inside this process)");
  }
  if (const YAML::Node& governance = root["governance"]) {
    r.only_keys(governance, "governance", {"on_state_down"});
    if (const YAML::Node& down = governance["on_state_down"]) {
      std::string policy = r.string(down, "governance.on_state_down");
      if (policy != "open" && policy != "closed") r.fail(down, "governance.on_state_down", "must be open or closed");
      config.fail_closed = policy == "closed";
    }
  }
  if (root["access_log"]) config.access_log = r.string(root["access_log"], "access_log");
  if (root["cache"]) config.cache = parse_cache(r, root["cache"], "cache", false);
  if (const YAML::Node& telemetry = root["telemetry"]) {
    r.only_keys(telemetry, "telemetry", {"otlp_endpoint", "protocol", "sample_ratio"});
    if (telemetry["otlp_endpoint"]) {
      config.telemetry.otlp_endpoint = r.string(telemetry["otlp_endpoint"], "telemetry.otlp_endpoint");
      if (!config.telemetry.otlp_endpoint.empty() && !config.telemetry.otlp_endpoint.starts_with("http://"))
        r.fail(telemetry["otlp_endpoint"], "telemetry.otlp_endpoint",
               "must be an http:// URL of an OTLP/HTTP collector (https is not supported yet: use a local collector)");
    }
    if (const YAML::Node& protocol = telemetry["protocol"]) {
      std::string name = r.string(protocol, "telemetry.protocol");
      if (name != "http/json")
        r.fail(protocol, "telemetry.protocol", "must be http/json (http/protobuf is not supported yet)");
    }
    if (telemetry["sample_ratio"]) {
      config.telemetry.sample_ratio = r.number(telemetry["sample_ratio"], "telemetry.sample_ratio");
      if (!(config.telemetry.sample_ratio >= 0 && config.telemetry.sample_ratio <= 1))
        r.fail(telemetry["sample_ratio"], "telemetry.sample_ratio", "must be between 0 and 1");
    }
  }
  if (root["prices"]) {
    std::string path = r.string(root["prices"], "prices");
    std::ifstream in(path);
    if (!in) r.fail(root["prices"], "prices", fmt::format("cannot open the prices file '{}'", path));
    std::stringstream text;
    text << in.rdbuf();
    config.prices = std::make_shared<const PriceTable>(PriceTable::parse(text.str(), path));
  } else {
    config.prices =
        std::make_shared<const PriceTable>(PriceTable::parse(PriceTable::builtin_yaml(), "data/prices.yaml"));
  }

  if (const YAML::Node& auth = root["auth"]) {
    r.only_keys(auth, "auth", {"keys"});
    if (const YAML::Node& keys = auth["keys"]) {
      if (!keys.IsSequence()) r.fail(keys, "auth.keys", "must be a list of {key, team}");
      std::set<std::string> seen;
      for (std::size_t i = 0; i < keys.size(); ++i) {
        const std::string key = fmt::format("auth.keys[{}]", i);
        r.only_keys(keys[i], key,
                    {"key", "team", "user", "name", "models", "providers", "limits", "budget", "expires_at"});
        if (!keys[i]["key"]) r.fail(keys[i], key + ".key", "is required");
        std::string secret = r.string(keys[i]["key"], key + ".key");
        if (secret.size() < 8) r.fail(keys[i]["key"], key + ".key", "must be at least 8 characters");
        if (!seen.insert(secret).second) r.fail(keys[i]["key"], key + ".key", "is listed twice");
        ApiKey k;
        k.sha256 = sha256(secret);
        k.key_id = to_hex(k.sha256).substr(0, 8);
        k.team = keys[i]["team"] ? r.string(keys[i]["team"], key + ".team") : "default";
        k.prefix = secret.substr(0, std::min<std::size_t>(secret.size() / 2, 8));
        if (keys[i]["user"]) k.user = r.string(keys[i]["user"], key + ".user");
        if (keys[i]["name"]) k.name = r.string(keys[i]["name"], key + ".name");
        if (keys[i]["models"]) k.access.models = string_list(r, keys[i]["models"], key + ".models");
        if (keys[i]["providers"]) k.access.providers = string_list(r, keys[i]["providers"], key + ".providers");
        if (keys[i]["limits"]) k.access.limits = parse_limits(r, keys[i]["limits"], key + ".limits");
        if (keys[i]["budget"]) k.access.budget = parse_budget(r, keys[i]["budget"], key + ".budget");
        if (keys[i]["expires_at"]) {
          auto day = parse_day(r.string(keys[i]["expires_at"], key + ".expires_at"));
          if (!day) r.fail(keys[i]["expires_at"], key + ".expires_at", "must be a date, YYYY-MM-DD (UTC)");
          k.expires_ms = *day * kDayMs;
        }
        config.keys.push_back(std::move(k));
      }
    }
  }

  if (const YAML::Node& t = root["timeouts"]) config.timeouts = parse_timeouts(r, t, "timeouts", config.timeouts, true);
  if (const YAML::Node& t = root["retries"]) {
    r.only_keys(t, "retries", {"max", "backoff_ms", "max_retry_after_ms"});
    if (t["max"]) config.retries.max = r.integer<int>(t["max"], "retries.max", 0, 10);
    if (t["backoff_ms"]) config.retries.backoff = millis(r, t["backoff_ms"], "retries.backoff_ms");
    if (t["max_retry_after_ms"])
      config.retries.max_retry_after = millis(r, t["max_retry_after_ms"], "retries.max_retry_after_ms");
  }
  if (const YAML::Node& b = root["circuit_breaker"]) {
    r.only_keys(b, "circuit_breaker", {"failures", "cooldown_s"});
    if (b["failures"]) config.breaker.failures = r.integer<int>(b["failures"], "circuit_breaker.failures", 0, 1000);
    if (b["cooldown_s"])
      config.breaker.cooldown =
          std::chrono::seconds(r.integer<int>(b["cooldown_s"], "circuit_breaker.cooldown_s", 1, 86400));
  }
  if (const YAML::Node& l = root["limits"]) {
    r.only_keys(l, "limits", {"max_body_bytes", "max_upstream_body_bytes", "max_upstream_event_bytes"});
    for (auto [key, field] : {std::pair{"max_body_bytes", &config.max_body_bytes},
                              std::pair{"max_upstream_body_bytes", &config.max_upstream_body_bytes},
                              std::pair{"max_upstream_event_bytes", &config.max_upstream_event_bytes}})
      if (l[key]) *field = r.integer<std::size_t>(l[key], std::string("limits.") + key, 1024, std::size_t{1} << 34);
  }
  if (const YAML::Node& s = root["simulator"]) {
    r.only_keys(s, "simulator", {"listen"});
    if (!s["listen"]) r.fail(s, "simulator.listen", "is required");
    config.simulator_listen = host_port(s["listen"], "simulator.listen");
  }

  if (const YAML::Node& providers = root["providers"]) {
    if (!providers.IsMap()) r.fail(providers, "providers", "must be a mapping of name -> provider");
    for (const auto& item : providers) {
      auto name = item.first.as<std::string>();
      config.providers.emplace(name, parse_provider(r, name, item.second, config.timeouts));
    }
  }
  if (const YAML::Node& models = root["models"]) {
    if (!models.IsMap()) r.fail(models, "models", "must be a mapping of model id -> model");
    for (const auto& item : models) {
      auto id = item.first.as<std::string>();
      if (id.empty()) r.fail(item.first, "models", "a model id must not be empty");
      config.models.emplace(id, parse_model(r, config, id, item.second));
    }
  }
  // A model id is servable when it is configured or names a configured provider as its prefix.
  auto servable = [&](const std::string& id) {
    auto slash = id.find('/');
    return config.models.contains(id) || (slash != std::string::npos && config.providers.contains(id.substr(0, slash)));
  };
  for (const auto& item : root["models"] ? root["models"] : YAML::Node()) {
    const auto& model = config.models.at(item.first.as<std::string>());
    for (std::size_t i = 0; i < model.fallbacks.size(); ++i)
      if (!servable(model.fallbacks[i]) || model.fallbacks[i] == model.id)
        r.fail(item.second["fallbacks"][i], fmt::format("models.{}.fallbacks[{}]", model.id, i),
               fmt::format("'{}' is not another configured model or provider/model id", model.fallbacks[i]));
    const auto& larger = model.on_failure.larger_models;
    for (std::size_t i = 0; i < larger.size(); ++i)
      if (!servable(larger[i]) || larger[i] == model.id)
        r.fail(item.second["on_failure"]["context_window"][i],
               fmt::format("models.{}.on_failure.context_window[{}]", model.id, i),
               fmt::format("'{}' is not another configured model or provider/model id", larger[i]));
  }
  if (const YAML::Node& aliases = root["aliases"]) {
    if (!aliases.IsMap()) r.fail(aliases, "aliases", "must be a mapping of name -> model id (or {model id: percent})");
    for (const auto& item : aliases) {
      auto name = item.first.as<std::string>();
      const std::string key = "aliases." + name;
      std::vector<AliasTarget> targets;
      if (item.second.IsScalar()) {
        targets.push_back({r.string(item.second, key), 100});
      } else if (item.second.IsMap()) {
        double total = 0;
        for (const auto& split : item.second) {
          targets.push_back(
              {split.first.as<std::string>(), r.number(split.second, key + "." + split.first.as<std::string>())});
          total += targets.back().percent;
        }
        if (targets.empty() || total < 99.999 || total > 100.001)
          r.fail(item.second, key, fmt::format("percents must add up to 100 (they add up to {})", total));
      } else {
        r.fail(item.second, key, "must be a model id or {model id: percent}");
      }
      for (const auto& target : targets)
        if (!servable(target.model_id))
          r.fail(item.second, key, fmt::format("'{}' is not a configured model or provider/model id", target.model_id));
      if (config.models.contains(name)) r.fail(item.first, key, "is also a configured model id");
      config.aliases.emplace(name, std::move(targets));
    }
  }
  config.families = root["families"]
                        ? parse_families(r, root["families"], "families", config)
                        : parse_families(Reader("data/model_catalogue.yaml"),
                                         YAML::Load(builtin_catalogue_yaml())["families"], "families", config);
  if (const YAML::Node& rules = root["rules"]) {
    if (!rules.IsSequence()) r.fail(rules, "rules", "must be a list of {if: {...}, then: model id}");
    for (std::size_t i = 0; i < rules.size(); ++i)
      config.rules.push_back(parse_rule(r, rules[i], fmt::format("rules[{}]", i), [&](const std::string& id) {
        return servable(id) || config.aliases.contains(id);
      }));
  }
  return config;
}

const ModelFamily* Config::family_of(std::string_view model) const {
  const ModelFamily* best = nullptr;
  for (const auto& family : families)
    if (model.starts_with(family.prefix) && (!best || family.prefix.size() > best->prefix.size())) best = &family;
  return best;
}

std::vector<const ProviderConfig*> Config::family_providers(std::string_view model) const {
  std::vector<const ProviderConfig*> members;
  const ModelFamily* family = family_of(model);
  if (!family) return members;
  for (const auto& name : family->providers)
    if (auto provider = providers.find(name); provider != providers.end()) members.push_back(&provider->second);
  if (family->providers.empty())
    for (const auto& [name, provider] : providers)
      if (provider.type == family->type && (family->host.empty() || provider.endpoint.host == family->host))
        members.push_back(&provider);
  return members;
}

Config load_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError(fmt::format("{}: cannot open the config file", path));
  std::stringstream text;
  text << in.rdbuf();
  return parse_config(text.str(), path);
}

}  // namespace switchyard
