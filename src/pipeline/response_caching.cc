#include "pipeline/response_caching.h"

#include <fmt/format.h>

#include <atomic>

#include "cache/cache_key.h"
#include "cache/shared_cache.h"
#include "pipeline/responses.h"
#include "server/offload.h"

namespace switchyard {
namespace {

// Redis round trips for the cache run here, apart from reports and governance.
net::thread_pool& cache_pool() {
  static net::thread_pool pool(2);
  return pool;
}

// Answers being written to Redis at most at once; past it a kept answer stays in memory only.
constexpr int kMaxPendingSharedPuts = 64;
std::atomic<int> pending_shared_puts{0};

bool ends_in_tool_call(std::string_view finish_reason) {
  return finish_reason == "tool_calls" || finish_reason == "tool_use" || finish_reason == "function_call";
}

}  // namespace

std::optional<CachePlan> plan_caching(const Config& config, const RequestContext& context, const ClientRequest& request,
                                      const http::request_header<>& head, std::string_view model_id) {
  auto model = config.models.find(model_id);
  const std::optional<CacheConfig>& settings =
      model == config.models.end() ? config.cache : model->second.cache_settings(config.cache);
  if (!settings) return std::nullopt;
  // A Responses answer kept for later turns, or a turn of a kept conversation, has an identity of its own.
  if (request.endpoint == OpenAIEndpoint::responses &&
      (request.view.store || !request.view.previous_response_id.empty()))
    return std::nullopt;
  auto key =
      cache_key(CacheKeyParts{context.client.team, context.endpoint, model_id, request.view.stream, request.body});
  if (!key) return std::nullopt;
  CachePlan plan{std::move(*key), *settings, settings->own_partition ? std::string(model_id) : std::string(),
                 parse_cache_control(head[http::field::cache_control])};
  return plan;
}

Task<std::optional<CachedAnswer>> look_up(const Caches& caches, const CachePlan& plan) {
  if (plan.directives.no_cache || !caches.memory) co_return std::nullopt;
  if (auto hit = caches.memory->get(plan.key, plan.directives.max_age_s)) co_return hit;
  if (!caches.shared) co_return std::nullopt;
  SharedCache* shared = caches.shared;
  std::function<std::optional<CachedAnswer>()> work = [shared, key = plan.key] { return shared->get(key); };
  auto loop = co_await net::this_coro::executor;
  std::optional<CachedAnswer> found = co_await offload(loop, std::move(work), cache_pool());
  if (!found) co_return std::nullopt;
  caches.memory->put(plan.key, *found, plan.settings, plan.partition);
  // The shared answer is served under the same freshness rules as a local one.
  co_return caches.memory->get(plan.key, plan.directives.max_age_s);
}

Task<> serve_from_cache(RequestContext& context, Exchange& exchange, const CachedAnswer& answer, int64_t now_ms) {
  context.cache_hit = true;
  context.saved_cost = answer.cost;
  context.cost = 0.0;
  const std::string age = std::to_string(std::max<int64_t>(0, (now_ms - answer.stored_ms) / 1000));
  std::string body = body_for(answer, context.id);
  if (!answer.streamed) {
    auto response = json_response(context.id, 200, std::move(body));
    response.set("x-switchyard-cache", "hit");
    response.set(http::field::age, age);
    for (const auto& [name, value] : context.answer_headers) response.set(name, value);
    co_await exchange.respond(std::move(response));
    co_return;
  }
  http::response<http::empty_body> head{http::status::ok, 11};
  head.set(http::field::content_type, answer.content_type);
  head.set(http::field::cache_control, "no-cache");
  for (const char* name : kRequestIdHeaders) head.set(name, context.id);
  head.set("x-switchyard-cache", "hit");
  head.set(http::field::age, age);
  for (const auto& [name, value] : context.answer_headers) head.set(name, value);
  if (co_await exchange.begin_stream(std::move(head)) && co_await exchange.write_chunk(body))
    co_await exchange.end_stream();
}

void AnswerCapture::add(std::string_view piece) {
  if (overflowed) return;
  if (bytes.size() + piece.size() > limit) {
    overflowed = true;
    bytes.clear();
    bytes.shrink_to_fit();
    return;
  }
  bytes.append(piece);
}

void keep_answer(const Caches& caches, const CachePlan& plan, const RequestContext& context, AnswerCapture& capture,
                 const ServedBy& served, int64_t now_ms) {
  if (!caches.memory || plan.directives.no_store || capture.overflowed || capture.bytes.empty()) return;
  if (context.attempts.empty() || context.attempts.back().error || context.attempts.back().status != 200) return;
  if (!plan.settings.tool_calls && ends_in_tool_call(context.facts.finish_reason)) return;
  CachedAnswer answer;
  answer.body = std::move(capture.bytes);
  answer.streamed = served.streamed;
  answer.content_type = served.streamed ? "text/event-stream; charset=utf-8" : "application/json";
  answer.generation_id = context.id;
  answer.provider = served.provider;
  answer.model_id = served.model_id;
  answer.upstream_model = served.upstream_model;
  answer.cost = context.cost;
  answer.stored_ms = now_ms;
  answer.expires_ms = now_ms + plan.settings.ttl_s * 1000;
  if (caches.shared && pending_shared_puts.fetch_add(1) < kMaxPendingSharedPuts) {
    net::post(cache_pool(), [shared = caches.shared, key = plan.key, kept = answer] {
      shared->put(key, kept);
      pending_shared_puts.fetch_sub(1);
    });
  } else if (caches.shared) {
    pending_shared_puts.fetch_sub(1);
  }
  caches.memory->put(plan.key, std::move(answer), plan.settings, plan.partition);
}

std::string render_cache_metrics(const Caches& caches) {
  if (!caches.memory) return {};
  const ResponseCache::Stats stats = caches.memory->stats();
  std::string out;
  auto metric = [&out](std::string_view name, std::string_view type, std::string_view help, uint64_t value) {
    out += fmt::format("# HELP {0} {1}\n# TYPE {0} {2}\n{0} {3}\n", name, help, type, value);
  };
  metric("switchyard_cache_hits_total", "counter", "Requests answered from the response cache.", stats.hits);
  metric("switchyard_cache_misses_total", "counter", "Cached models' requests the cache had no answer for.",
         stats.misses);
  metric("switchyard_cache_stores_total", "counter", "Answers kept in the response cache.", stats.stores);
  metric("switchyard_cache_evictions_total", "counter", "Answers dropped to keep the cache within max_mb.",
         stats.evictions);
  metric("switchyard_cache_entries", "gauge", "Answers in the response cache.", stats.entries);
  metric("switchyard_cache_bytes", "gauge", "Bytes of answers in the response cache.", stats.bytes);
  return out;
}

}  // namespace switchyard
