#pragma once
// The response cache on the request path (config `cache:`, docs/routing.md "Response cache").
// After routing resolved the model, a request whose model is cached is looked up by its key (in
// memory, then in Redis on the cache's own small pool); a hit is answered from the kept bytes (a
// stream replayed as a stream) and recorded with no attempt, cost 0 and the cost it saved; a miss
// goes on with `x-switchyard-cache: miss`, and its answer, gathered as it is sent, is kept when
// it is complete and worth keeping (memory at once, Redis off the request path).
#include <optional>
#include <string>

#include "cache/cache_control.h"
#include "cache/response_cache.h"
#include "core/request_context.h"
#include "pipeline/client_format.h"
#include "server/exchange.h"

namespace switchyard {

class SharedCache;

// The caches a gateway has (both null: no `cache:` configured anywhere).
struct Caches {
  ResponseCache* memory = nullptr;
  SharedCache* shared = nullptr;  // with `state: redis://...`
};

// How one request uses the cache.
struct CachePlan {
  std::string key;
  CacheConfig settings;
  std::string partition;  // "" (the global bound), or the model id whose `cache` has its own max_mb
  CacheDirectives directives;
};

// Whether the request may be served from or kept in the cache (its model, `model_id` as routing
// resolved it, has cache settings; its body is a JSON object; it is not a Responses request whose
// answer is to be stored or that continues a stored one), and under which key (with its team and
// endpoint). nullopt: the cache is not used for it.
std::optional<CachePlan> plan_caching(const Config& config, const RequestContext& context, const ClientRequest& request,
                                      const http::request_header<>& head, std::string_view model_id);

// The kept answer for `plan` (not when the client said no-cache); nullopt on a miss. Redis is
// asked only when memory has none; its answer is then kept in memory too.
Task<std::optional<CachedAnswer>> look_up(const Caches& caches, const CachePlan& plan);

// Answers the request from `answer`, with its own generation id, `x-switchyard-cache: hit` and
// `Age`, and marks the context for its record (cache_hit, saved_cost, cost 0).
Task<> serve_from_cache(RequestContext& context, Exchange& exchange, const CachedAnswer& answer, int64_t now_ms);

// An answer's bytes gathered as they go to the client, up to `limit` (past it: not kept).
struct AnswerCapture {
  explicit AnswerCapture(std::size_t limit) : limit(limit) {}
  void add(std::string_view piece);
  std::string bytes;
  std::size_t limit;
  bool overflowed = false;
};

// What served a missed request, for its kept answer.
struct ServedBy {
  std::string_view provider, model_id, upstream_model;
  bool streamed = false;
};

// Keeps a missed request's answer when it is complete (status 200, no error in the last attempt,
// nothing overflowed), the client did not say no-store, and it does not end in a tool call
// (unless the settings keep those).
void keep_answer(const Caches& caches, const CachePlan& plan, const RequestContext& context, AnswerCapture& capture,
                 const ServedBy& served, int64_t now_ms);

// The cache's counters and size in Prometheus text format ("" when there is no cache).
std::string render_cache_metrics(const Caches& caches);

}  // namespace switchyard
