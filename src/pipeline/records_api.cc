#include "pipeline/records_api.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <algorithm>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <charconv>
#include <chrono>
#include <limits>

#include "analytics/insights.h"
#include "analytics/series.h"
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
constexpr int64_t kTeamSeriesDays = 93;  // a quarter

// One record as the generation API and the request log show it.
json::object record_entry(const UsageRecord& r) {
  json::array tags;
  for (const auto& t : r.tags) tags.emplace_back(t);
  auto optional_number = [](const auto& v) { return v ? json::value(*v) : json::value(nullptr); };
  return json::object{{"id", r.id},
                      {"created_at", iso_time_of(r.created_ms)},
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
                      {"attempts", attempts_to_json(r.attempts)},
                      // Served from the response cache (total_cost 0), and what the kept
                      // answer cost when it was made: null when unpriced or not a hit.
                      {"cache_hit", r.cache_hit},
                      {"saved_cost", optional_number(r.saved_cost)}};
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

Error bad_parameter(std::string_view name, std::string_view rule) {
  return make_error(ErrorKind::bad_request, fmt::format("{} must be {}", name, rule), std::string(name));
}

// The team a query reads: a team key's own; the admin key's `team=`, or every team (none).
// A team key naming another team is refused rather than quietly shown its own.
std::variant<std::optional<std::string>, Error> team_scope(const RequestContext& context, std::string_view target) {
  auto named = query_param(target, "team");
  if (named && named->empty()) named.reset();
  if (context.client.admin) return named;
  if (named && *named != context.client.team) {
    Error error = make_error(ErrorKind::forbidden,
                             "this key belongs to team '" + context.client.team +
                                 "' and sees only that team's requests; an admin key sees every team",
                             "team");
    error.code = "team_forbidden";
    return error;
  }
  return std::optional<std::string>(context.client.team);
}

// `start` and `end` (ISO 8601, or YYYY-MM-DD: `end` then means the end of that day) into [start, end).
std::optional<Error> read_window(std::string_view target, int64_t& start_ms, int64_t& end_ms) {
  constexpr std::string_view kRule = "an ISO 8601 time (2026-12-02T05:00:00Z) or a date (2026-12-02)";
  // A '+' of a zone offset sent unencoded in a query reads as a space: taken as the '+' it was.
  auto time_param = [&](std::string_view name) {
    auto text = query_param(target, name);
    if (text) std::replace(text->begin(), text->end(), ' ', '+');
    return text;
  };
  if (auto start = time_param("start")) {
    auto ms = unix_ms_of(*start);
    if (!ms) return bad_parameter("start", kRule);
    start_ms = *ms;
  }
  if (auto end = time_param("end")) {
    auto ms = unix_ms_of(*end);
    if (!ms) return bad_parameter("end", kRule);
    end_ms = end->size() == 10 ? *ms + kDayMs : *ms;
  }
  if (start_ms >= end_ms) return make_error(ErrorKind::bad_request, "start must be before end", "start");
  return std::nullopt;
}

// A whole number from `min` to `max` in query parameter `name`, when given.
std::variant<std::optional<int64_t>, Error> integer_param(std::string_view target, std::string_view name, int64_t min,
                                                          int64_t max) {
  auto text = query_param(target, name);
  if (!text) return std::optional<int64_t>();
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size() || value < min || value > max)
    return bad_parameter(name, fmt::format("a whole number from {} to {}", min, max));
  return std::optional<int64_t>(value);
}

// The request log's cursor: "<created_ms>.<id>" of the record the next page starts after.
std::string cursor_text(const std::pair<int64_t, std::string>& at) { return fmt::format("{}.{}", at.first, at.second); }
std::optional<std::pair<int64_t, std::string>> parse_cursor(std::string_view text) {
  const std::size_t dot = text.find('.');
  if (dot == std::string_view::npos || dot == 0 || text.size() - dot - 1 > 64) return std::nullopt;
  int64_t ms = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + dot, ms);
  if (ec != std::errc() || end != text.data() + dot) return std::nullopt;
  return std::pair<int64_t, std::string>(ms, std::string(text.substr(dot + 1)));
}

// GET /v1/logs's parameters (docs/observability.md) into a query; the team is set by the caller.
std::variant<LogQuery, Error> log_query(std::string_view target) {
  LogQuery query;
  if (auto error = read_window(target, query.start_ms, query.end_ms)) return *error;
  auto limit = integer_param(target, "limit", 1, 1000);
  if (auto* error = std::get_if<Error>(&limit)) return *error;
  query.limit = static_cast<std::size_t>(std::get<std::optional<int64_t>>(limit).value_or(50));
  if (auto cursor = query_param(target, "cursor")) {
    query.before = parse_cursor(*cursor);
    if (!query.before) return bad_parameter("cursor", "a next_cursor of an earlier page");
  }
  query.key_id = query_param(target, "key_id");
  query.user = query_param(target, "user");
  query.model = query_param(target, "model");
  query.provider = query_param(target, "provider");
  query.tag = query_param(target, "tag");
  query.use_case = query_param(target, "use_case");
  if (auto status = query_param(target, "status")) {
    static constexpr Outcome kOutcomes[] = {Outcome::ok, Outcome::error, Outcome::rejected, Outcome::cancelled};
    for (Outcome outcome : kOutcomes)
      if (*status == outcome_name(outcome)) query.outcome = outcome;
    int code = 0;
    auto [end, ec] = std::from_chars(status->data(), status->data() + status->size(), code);
    if (!query.outcome && ec == std::errc() && end == status->data() + status->size() && code >= 100 && code <= 599)
      query.status = code;
    if (!query.outcome && !query.status)
      return bad_parameter("status", "ok, error, rejected, cancelled or an HTTP status (429)");
  }
  if (auto streamed = query_param(target, "streamed")) {
    if (*streamed != "true" && *streamed != "false") return bad_parameter("streamed", "true or false");
    query.streamed = *streamed == "true";
  }
  auto latency = integer_param(target, "min_latency_ms", 0, INT64_MAX);
  if (auto* error = std::get_if<Error>(&latency)) return *error;
  query.min_latency_ms = std::get<std::optional<int64_t>>(latency);
  if (auto cost = query_param(target, "min_cost")) {
    double value = 0;
    auto [end, ec] = std::from_chars(cost->data(), cost->data() + cost->size(), value);
    if (ec != std::errc() || end != cost->data() + cost->size() || !(value >= 0))
      return bad_parameter("min_cost", "a number of US dollars, 0 or more");
    query.min_cost = value;
  }
  if (auto cache = query_param(target, "cache")) {
    if (*cache != "hit" && *cache != "miss") return bad_parameter("cache", "hit or miss");
    query.cache_hit = *cache == "hit";
  }
  return query;
}

std::string log_page_json(const LogPage& page) {
  json::array data;
  data.reserve(page.records.size());
  for (const auto& r : page.records) {
    json::object entry = record_entry(r);
    entry["key_id"] = r.key_id;
    entry["outcome"] = outcome_name(outcome_of(r));
    data.emplace_back(std::move(entry));
  }
  return serialize_json(json::object{{"object", "list"},
                                     {"data", std::move(data)},
                                     {"next_cursor", page.next ? json::value(cursor_text(*page.next)) : nullptr}});
}

// GET /v1/timeseries's parameters (docs/observability.md) at `now_ms`.
std::variant<SeriesQuery, Error> series_query(std::string_view target, int64_t now_ms) {
  SeriesQuery query;
  if (auto grain = query_param(target, "grain")) {
    auto named = grain_named(*grain);
    if (!named) return bad_parameter("grain", "minute, hour or day");
    query.grain = *named;
  }
  const int64_t span = query.grain == Grain::minute ? 3'600'000 : query.grain == Grain::hour ? 2 * kDayMs : 30 * kDayMs;
  query.end_ms = now_ms + 1;
  query.start_ms = query.end_ms - span;
  if (auto error = read_window(target, query.start_ms, query.end_ms)) return *error;
  if ((query.end_ms - query.start_ms) / grain_ms(query.grain) > Series::kMaxPoints)
    return make_error(ErrorKind::bad_request,
                      fmt::format("the window holds more than {} points at this grain: use a coarser grain or a "
                                  "shorter window",
                                  Series::kMaxPoints),
                      "grain");
  if (query.grain == Grain::minute && query.start_ms < now_ms - Series::kMinuteWindowMs - 60'000)
    return make_error(ErrorKind::bad_request,
                      "minute grain covers the last 24 hours; use grain=hour for an earlier window", "start");
  query.group_by = query_param(target, "group_by").value_or("");
  if (query.group_by != "" && query.group_by != "provider" && query.group_by != "model")
    return bad_parameter("group_by", "provider or model");
  auto top = integer_param(target, "top", 1, 50);
  if (auto* error = std::get_if<Error>(&top)) return *error;
  query.top = static_cast<std::size_t>(std::get<std::optional<int64_t>>(top).value_or(10));
  return query;
}

Error still_loading(const Records& records) {
  Error error = make_error(
      ErrorKind::unavailable,
      fmt::format("insights are still reading the record history ({} records so far); try again in a few seconds",
                  records.rollup.history_read()));
  error.code = "insights_loading";
  return error;
}

// The answer to a records query: 200 with `body`, or the error.
Task<> reply(RequestContext& context, Exchange& exchange, std::variant<std::string, Error> body) {
  if (auto* error = std::get_if<Error>(&body)) {
    auto response = openai_error_response(context.id, *error);
    if (error->code == "insights_loading") response.set(http::field::retry_after, "5");
    co_await exchange.respond(std::move(response));
    co_return;
  }
  co_await exchange.respond(json_response(context.id, 200, std::get<std::string>(std::move(body))));
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
  // A named local: g++ 12 cannot copy an initializer list inside a co_await expression.
  const json::object body{{"data", record_entry(*found)}};
  co_await exchange.respond(json_response(context.id, 200, serialize_json(body)));
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
  auto scope = team_scope(context, exchange.request().target());
  if (auto* error = std::get_if<Error>(&scope)) {
    co_await exchange.respond(openai_error_response(context.id, *error));
    co_return;
  }
  const std::optional<std::string> team = std::get<std::optional<std::string>>(scope);
  // All teams: from the live rollup's cells, once it holds the history (reading 100M records
  // takes minutes; paging through them for each query instead would hold the blocking pool).
  if (!team && !records.rollup.loaded()) {
    co_await reply(context, exchange, still_loading(records));
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
  co_await reply(context, exchange, std::move(body));
}

Task<> logs_api(RequestContext& context, Exchange& exchange, const Records& records) {
  const std::string_view target = exchange.request().target();
  auto scope = team_scope(context, target);
  auto parsed = log_query(target);
  if (auto* error = std::get_if<Error>(&scope)) parsed = *error;
  if (auto* error = std::get_if<Error>(&parsed)) {
    co_await exchange.respond(openai_error_response(context.id, *error));
    co_return;
  }
  LogQuery query = std::get<LogQuery>(std::move(parsed));
  query.team = std::get<std::optional<std::string>>(scope);
  std::function<std::string()> read = [&records, query] { return log_page_json(records.store.recent(query)); };
  auto body = co_await ask_store(std::move(read));
  co_await reply(context, exchange, std::move(body));
}

Task<> timeseries_api(RequestContext& context, Exchange& exchange, const Records& records) {
  const std::string_view target = exchange.request().target();
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  auto scope = team_scope(context, target);
  auto parsed = series_query(target, now_ms);
  if (auto* error = std::get_if<Error>(&scope)) parsed = *error;
  if (auto* error = std::get_if<Error>(&parsed)) {
    co_await exchange.respond(openai_error_response(context.id, *error));
    co_return;
  }
  const SeriesQuery query = std::get<SeriesQuery>(parsed);
  const std::optional<std::string> team = std::get<std::optional<std::string>>(scope);
  // One team's series is summed from its records: a bounded window keeps that read bounded.
  if (team && query.end_ms - query.start_ms > kTeamSeriesDays * kDayMs) {
    co_await exchange.respond(openai_error_response(
        context.id,
        make_error(ErrorKind::bad_request,
                   fmt::format("one team's series covers at most {} days at a time", kTeamSeriesDays), "start")));
    co_return;
  }
  // Every team: the live rollup's cells; one team: its records of the window, by its index.
  std::function<std::variant<std::string, Error>()> compute = [&records, query,
                                                               team]() -> std::variant<std::string, Error> {
    if (team) {
      Series one = series_of_store(records.store, ScanQuery{query.start_ms, query.end_ms, kInsightPage, team});
      return series_json(query, one.series(query));
    }
    auto lines = records.rollup.series(query);
    if (!lines) return still_loading(records);
    return series_json(query, *lines);
  };
  auto body = co_await ask_store(std::move(compute));
  std::variant<std::string, Error> flat = Error{};
  if (auto* error = std::get_if<Error>(&body))
    flat = *error;
  else
    flat = std::get<std::variant<std::string, Error>>(std::move(body));
  co_await reply(context, exchange, std::move(flat));
}

}  // namespace switchyard
