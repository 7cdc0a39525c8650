#pragma once
// The accounting APIs (Vercel AI Gateway's shapes): GET /v1/generation?id=..., GET /v1/report,
// and the analytics API GET /v1/insights. A team's key sees its own team's records; the admin key sees all.
#include <functional>
#include <optional>
#include <string>
#include <variant>

#include "analytics/live_rollup.h"
#include "core/request_context.h"
#include "server/exchange.h"
#include "server/offload.h"
#include "storage/recorder.h"

namespace switchyard {

// What accounting keeps, as the gateway reads it: the store, the recorder (and its metrics), and
// the insights rollup the recorder feeds. All outlive the gateway.
struct Records {
  RecordStore& store;
  Recorder& recorder;
  LiveRollup& rollup;
};

// The decoded value of the query parameter `name` of `target`, if it has one.
std::optional<std::string> query_param(std::string_view target, std::string_view name);

// A failed store query as the error the client gets (503, code store_unavailable); logged.
Error store_unavailable(const std::exception& e);

// Runs a store query on the blocking pool; a store failure becomes the error the client gets.
template <class T>
Task<std::variant<T, Error>> ask_store(std::function<T()> query) {
  auto loop = co_await net::this_coro::executor;
  try {
    co_return co_await offload(loop, std::move(query));
  } catch (const std::exception& e) {
    co_return store_unavailable(e);
  }
}

Task<> generation_api(RequestContext& context, Exchange& exchange, const Records& records);
Task<> report_api(RequestContext& context, Exchange& exchange, const Records& records);
// GET /v1/insights?start_date&end_date: the production-traffic figures (docs/analytics.md).
Task<> insights_api(RequestContext& context, Exchange& exchange, const Records& records);
// GET /v1/logs: the request log, newest first (docs/observability.md).
Task<> logs_api(RequestContext& context, Exchange& exchange, const Records& records);
// GET /v1/timeseries: traffic over time from the rollup (every team) or a team's records.
Task<> timeseries_api(RequestContext& context, Exchange& exchange, const Records& records);

}  // namespace switchyard
