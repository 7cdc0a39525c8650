#include "pipeline/records_api.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <chrono>
#include <limits>

#include "analytics/insights.h"
#include "core/calendar.h"
#include "pipeline/responses.h"
#include "server/offload.h"
#include "translate/json_parse.h"

namespace switchyard {
namespace json = boost::json;

std::optional<std::string> query_param(std::string_view target, std::string_view name) {
  auto url = boost::urls::parse_origin_form(target);
  if (!url) return std::nullopt;
  auto params = url->params();
  auto it = params.find(name);
  if (it == params.end()) return std::nullopt;
  return std::string((*it).value);
}

namespace {

constexpr std::size_t kInsightPage = 50'000;

std::string iso_time(int64_t unix_ms) {
  auto at = std::chrono::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(unix_ms));
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", at);
}

json::value generation_json(const UsageRecord& r) {
  json::array tags;
  for (const auto& t : r.tags) tags.emplace_back(t);
  auto optional_number = [](const auto& v) { return v ? json::value(*v) : json::value(nullptr); };
  return json::object{{"data", json::object{{"id", r.id},
                                            {"created_at", iso_time(r.created_ms)},
                                            {"model", r.model},
                                            {"model_requested", r.model_requested},
                                            {"provider_name", r.provider},
                                            {"upstream_model", r.upstream_model},
                                            {"streamed", r.streamed},
                                            // The AI SDK requires a string: "" when the
                                            // answer never finished (an aborted stream).
                                            {"finish_reason", r.finish_reason},
                                            {"latency", r.latency_ms},
                                            {"generation_time", r.ttft_ms ? r.latency_ms - *r.ttft_ms : r.latency_ms},
                                            {"time_to_first_token", optional_number(r.ttft_ms)},
                                            // The AI SDK requires numbers: an unpriced
                                            // request costs 0 there, and says priced: false.
                                            {"total_cost", r.cost.value_or(0)},
                                            {"priced", r.cost.has_value()},
                                            {"market_cost", r.cost.value_or(0)},
                                            {"upstream_inference_cost", r.byok ? r.cost.value_or(0) : 0.0},
                                            {"usage", r.cost.value_or(0)},
                                            {"billable_web_search_calls", 0},
                                            {"native_tokens_prompt", r.input_tokens},
                                            {"native_tokens_completion", r.output_tokens},
                                            {"native_tokens_reasoning", r.reasoning_tokens},
                                            {"native_tokens_cached", r.cache_read_tokens},
                                            {"native_tokens_cache_creation", r.cache_write_tokens},
                                            {"is_byok", r.byok},
                                            {"team", r.team},
                                            {"user", r.user},
                                            {"tags", std::move(tags)},
                                            {"use_case", r.use_case},
                                            {"endpoint", r.endpoint},
                                            {"status", r.status},
                                            {"error", r.error.empty() ? json::value(nullptr) : json::value(r.error)},
                                            {"attempts", attempts_to_json(r.attempts)}}}};
}

// Vercel's report shape: {results: [{<group>, total_cost, ...tokens, request_count}]}.
std::string report_body(const std::vector<ReportRow>& rows, const std::string& group_by) {
  json::array results;
  for (const auto& row : rows)
    results.push_back(json::object{{group_by, row.key},
                                   {"total_cost", row.total_cost},
                                   {"input_tokens", row.input_tokens},
                                   {"output_tokens", row.output_tokens},
                                   {"cached_input_tokens", row.cached_input_tokens},
                                   {"cache_creation_input_tokens", row.cache_creation_input_tokens},
                                   {"reasoning_tokens", row.reasoning_tokens},
                                   {"request_count", row.request_count}});
  return serialize_json(json::object{{"results", std::move(results)}});
}

// [start, end) in Unix ms from start_date and end_date (YYYY-MM-DD, inclusive, UTC; default the
// last 30 days).
std::variant<DayWindow, Error> date_window(std::string_view target) {
  auto window =
      day_window(query_param(target, "start_date").value_or(""), query_param(target, "end_date").value_or(""));
  if (auto* days = std::get_if<DayWindow>(&window)) return *days;
  switch (std::get<WindowProblem>(window)) {
    case WindowProblem::bad_from:
      return make_error(ErrorKind::bad_request, "start_date must be YYYY-MM-DD", "start_date");
    case WindowProblem::bad_to: return make_error(ErrorKind::bad_request, "end_date must be YYYY-MM-DD", "end_date");
    case WindowProblem::reversed: break;
  }
  return make_error(ErrorKind::bad_request, "start_date is after end_date", "start_date");
}

Error no_generation(const std::string& id) {
  Error error = make_error(ErrorKind::not_found, "no generation with id '" + id + "'", "id");
  error.code = "generation_not_found";
  return error;
}

}  // namespace

Error store_unavailable(const std::exception& e) {
  spdlog::warn("record store query failed: {}", e.what());
  Error error = make_error(ErrorKind::unavailable, std::string("the record store cannot answer: ") + e.what());
  error.code = "store_unavailable";
  return error;
}

Task<> generation_api(RequestContext& context, Exchange& exchange, const Records& records) {
  auto id = query_param(exchange.request().target(), "id");
  if (!id || id->empty()) {
    co_await exchange.respond(
        openai_error_response(context.id, make_error(ErrorKind::bad_request, "'id' is required", "id")));
    co_return;
  }
  std::function<std::optional<UsageRecord>()> lookup = [&records, key = *id] { return records.store.find(key); };
  auto answer = co_await ask_store(std::move(lookup));
  if (auto* error = std::get_if<Error>(&answer)) {
    co_await exchange.respond(openai_error_response(context.id, *error));
    co_return;
  }
  const auto& found = std::get<std::optional<UsageRecord>>(answer);
  // Another team's record is as invisible as a missing one.
  if (!found || (!context.client.admin && found->team != context.client.team)) {
    co_await exchange.respond(openai_error_response(context.id, no_generation(*id)));
    co_return;
  }
  co_await exchange.respond(json_response(context.id, 200, serialize_json(generation_json(*found))));
}

Task<> report_api(RequestContext& context, Exchange& exchange, const Records& records) {
  auto target = exchange.request().target();
  ReportQuery query;
  query.group_by = query_param(target, "group_by").value_or("day");
  auto window = date_window(target);
  std::optional<Error> invalid;
  if (auto* error = std::get_if<Error>(&window)) invalid = *error;
  static constexpr std::string_view kGroups[] = {"day", "model", "provider", "user", "tag", "team"};
  if (!invalid && std::find(std::begin(kGroups), std::end(kGroups), query.group_by) == std::end(kGroups))
    invalid =
        make_error(ErrorKind::bad_request, "group_by must be one of day, model, provider, user, tag, team", "group_by");
  if (invalid) {
    co_await exchange.respond(openai_error_response(context.id, *invalid));
    co_return;
  }
  query.start_ms = std::get<DayWindow>(window).start_ms;
  query.end_ms = std::get<DayWindow>(window).end_ms;
  if (!context.client.admin) query.team = context.client.team;
  // The AI SDK's getSpendReport filters.
  query.user = query_param(target, "user_id");
  query.model = query_param(target, "model");
  query.provider = query_param(target, "provider");
  if (auto tags = query_param(target, "tags"))
    for (std::string_view rest = *tags; !rest.empty();) {
      std::string_view tag = rest.substr(0, rest.find(','));
      if (!tag.empty()) query.tags.emplace_back(tag);
      rest.remove_prefix(std::min(rest.size(), tag.size() + 1));
    }
  if (query.tags.size() > 32) {
    co_await exchange.respond(
        openai_error_response(context.id, make_error(ErrorKind::bad_request, "at most 32 tags may be given", "tags")));
    co_return;
  }
  if (auto credential = query_param(target, "credential_type")) {
    if (*credential != "byok" && *credential != "system") {
      co_await exchange.respond(openai_error_response(
          context.id, make_error(ErrorKind::bad_request, "credential_type must be byok or system", "credential_type")));
      co_return;
    }
    query.byok = *credential == "byok";
  }

  std::function<std::vector<ReportRow>()> run_report = [&records, query] { return records.store.report(query); };
  auto rows = co_await ask_store(std::move(run_report));
  if (auto* error = std::get_if<Error>(&rows)) {
    co_await exchange.respond(openai_error_response(context.id, *error));
    co_return;
  }
  co_await exchange.respond(
      json_response(context.id, 200, report_body(std::get<std::vector<ReportRow>>(rows), query.group_by)));
}

Task<> insights_api(RequestContext& context, Exchange& exchange, const Records& records) {
  auto window = date_window(exchange.request().target());
  if (auto* error = std::get_if<Error>(&window)) {
    co_await exchange.respond(openai_error_response(context.id, *error));
    co_return;
  }
  DayWindow days = std::get<DayWindow>(window);
  // A team's key sees its team; the admin key everything, or the team it names in `team=`.
  std::optional<std::string> team = context.client.admin ? query_param(exchange.request().target(), "team")
                                                         : std::optional<std::string>(context.client.team);
  if (team && team->empty()) team.reset();
  // All teams: from the live rollup's cells, once it holds the history (reading 100M records
  // takes minutes; paging through them for each query instead would hold the blocking pool).
  if (!team && !records.rollup.loaded()) {
    Error error = make_error(
        ErrorKind::unavailable,
        fmt::format("insights are still reading the record history ({} records so far); try again in a few seconds",
                    records.rollup.history_read()));
    error.code = "insights_loading";
    auto response = openai_error_response(context.id, error);
    response.set(http::field::retry_after, "5");
    co_await exchange.respond(std::move(response));
    co_return;
  }
  std::map<std::string, std::string> segments = context.config->team_segments;
  // One team: the window's records of that team (by its index), rolled up page by page.
  std::function<std::string()> compute = [&records, days, team, segments] {
    if (!team) return insights_json(*records.rollup.insights(segments, days));  // loaded: checked above
    Rollup window = roll_up_store(records.store, ScanQuery{days.start_ms, days.end_ms, kInsightPage, team});
    return insights_json(compute_insights(window, segments, days));
  };
  auto body = co_await ask_store(std::move(compute));
  if (auto* error = std::get_if<Error>(&body)) {
    co_await exchange.respond(openai_error_response(context.id, *error));
    co_return;
  }
  co_await exchange.respond(json_response(context.id, 200, std::get<std::string>(std::move(body))));
}

}  // namespace switchyard
