#include "storage/record_columns.h"

#include <fmt/format.h>
#include <algorithm>
#include <boost/json.hpp>

#include "core/json_text.h"

namespace switchyard::record_columns {
namespace json = boost::json;
namespace {

std::string number(double value) { return fmt::format("{}", value); }

int64_t integer(const std::optional<std::string>& text) { return text && !text->empty() ? std::stoll(*text) : 0; }

// Tags as the JSON text the column holds (attempts: attempts_json, storage/usage_record.h).
std::string tags_json(const UsageRecord& r) {
  std::string out = "[";
  for (const auto& tag : r.tags) {
    if (out.size() > 1) out += ',';
    append_json_string(out, tag);
  }
  return out + "]";
}

// Calls, for each column in kNames order, sink.text(string_view), sink.integer(int64_t) or
// sink.real(optional<double>) / sink.optional_integer(optional<int64_t>) (null when empty).
// `tags` and `attempts` are the JSON texts, kept alive by the caller until the values are used.
template <class Sink>
void visit_columns(const UsageRecord& r, const std::string& tags, const std::string& attempts, Sink& sink) {
  sink.text(r.id);
  sink.integer(r.created_ms);
  sink.text(r.team);
  sink.text(r.key_id);
  sink.text(r.user);
  sink.text(r.use_case);
  sink.text(r.endpoint);
  sink.text(tags);
  sink.text(r.model_requested);
  sink.text(r.model);
  sink.text(r.provider);
  sink.text(r.upstream_model);
  sink.integer(r.streamed ? 1 : 0);
  sink.text(r.finish_reason);
  sink.integer(r.input_tokens);
  sink.integer(r.output_tokens);
  sink.integer(r.cache_read_tokens);
  sink.integer(r.cache_write_tokens);
  sink.integer(r.reasoning_tokens);
  sink.real(r.cost);
  sink.integer(r.byok ? 1 : 0);
  sink.optional_integer(r.ttft_ms);
  sink.integer(r.latency_ms);
  sink.integer(r.status);
  sink.text(r.error);
  sink.text(attempts);
  sink.integer(r.cache_hit ? 1 : 0);
  sink.real(r.saved_cost);
}

}  // namespace

std::vector<std::string> migrations(const char* real_type, const char* int64_type) {
  return {
      fmt::format(
          "CREATE TABLE requests (id TEXT PRIMARY KEY, created_ms {1} NOT NULL, team TEXT NOT NULL, key_id TEXT, "
          "user_name TEXT, use_case TEXT, endpoint TEXT, tags TEXT, model_requested TEXT, model TEXT, provider TEXT, "
          "upstream_model TEXT, streamed INTEGER, finish_reason TEXT, input_tokens {1}, output_tokens {1}, "
          "cache_read_tokens {1}, cache_write_tokens {1}, reasoning_tokens {1}, cost {0}, byok INTEGER, "
          "ttft_ms {1}, latency_ms {1}, status INTEGER, error TEXT, attempts TEXT)",
          real_type, int64_type),
      "CREATE INDEX requests_created ON requests (created_ms)",
      "CREATE INDEX requests_team_created ON requests (team, created_ms)",
  };
}

std::string added_columns(const char* real_type) {
  return fmt::format("ALTER TABLE requests ADD COLUMN cache_hit INTEGER NOT NULL DEFAULT 0, ADD COLUMN saved_cost {}",
                     real_type);
}

std::string name_list(std::size_t columns) {
  std::string out;
  for (std::size_t i = 0; i < std::min(columns, kNames.size()); ++i) out += (i ? ", " : "") + std::string(kNames[i]);
  return out;
}

Values values_of(const UsageRecord& r) {
  struct Texts {
    Values values;
    std::size_t at = 0;
    void text(std::string_view v) { values[at++] = std::string(v); }
    void integer(int64_t v) { values[at++] = std::to_string(v); }
    void real(std::optional<double> v) { values[at++] = v ? std::optional<std::string>(number(*v)) : std::nullopt; }
    void optional_integer(std::optional<int64_t> v) {
      values[at++] = v ? std::optional<std::string>(std::to_string(*v)) : std::nullopt;
    }
  } sink;
  std::string tags = tags_json(r), attempts = attempts_json(r.attempts);
  visit_columns(r, tags, attempts, sink);
  return std::move(sink.values);
}

StoredResponse stored_response_of(const std::vector<std::optional<std::string>>& v) {
  return StoredResponse{v[0].value_or(""), v[1].value_or(""), integer(v[2]), v[3].value_or("[]"), v[4].value_or("{}")};
}

std::vector<std::string> policy_tables(const char* int64_type) {
  return {
      fmt::format("CREATE TABLE gateway_keys (id TEXT PRIMARY KEY, team TEXT NOT NULL, updated_ms {} NOT NULL, "
                  "body TEXT NOT NULL)",
                  int64_type),
      "CREATE INDEX gateway_keys_updated ON gateway_keys (updated_ms)",
      fmt::format("CREATE TABLE gateway_teams (name TEXT PRIMARY KEY, updated_ms {} NOT NULL, body TEXT NOT NULL)",
                  int64_type),
      "CREATE INDEX gateway_teams_updated ON gateway_teams (updated_ms)",
  };
}

PolicyRow policy_row_of(const std::vector<std::optional<std::string>>& v) {
  return PolicyRow{v[0].value_or(""), v[1].value_or(""), integer(v[2]), v[3].value_or("")};
}

UsageRecord record_of(const std::vector<std::optional<std::string>>& v) {
  auto text = [&](std::size_t i) { return v[i].value_or(""); };
  UsageRecord r;
  r.id = text(0);
  r.created_ms = integer(v[1]);
  r.team = text(2);
  r.key_id = text(3);
  r.user = text(4);
  r.use_case = text(5);
  r.endpoint = text(6);
  if (v[7]) {
    json::value tags = json::parse(*v[7]);  // named: a temporary would die before the loop runs
    for (const auto& t : tags.as_array()) r.tags.emplace_back(t.as_string());
  }
  r.model_requested = text(8);
  r.model = text(9);
  r.provider = text(10);
  r.upstream_model = text(11);
  r.streamed = integer(v[12]) != 0;
  r.finish_reason = text(13);
  r.input_tokens = integer(v[14]);
  r.output_tokens = integer(v[15]);
  r.cache_read_tokens = integer(v[16]);
  r.cache_write_tokens = integer(v[17]);
  r.reasoning_tokens = integer(v[18]);
  if (v[19]) r.cost = std::stod(*v[19]);
  r.byok = integer(v[20]) != 0;
  if (v[21]) r.ttft_ms = integer(v[21]);
  r.latency_ms = integer(v[22]);
  r.status = static_cast<int>(integer(v[23]));
  r.error = text(24);
  if (v[25]) r.attempts = attempts_from_json(json::parse(*v[25]));
  if (v.size() >= kNames.size()) {  // a row of a table with the cache's columns
    r.cache_hit = integer(v[26]) != 0;
    if (v[27]) r.saved_cost = std::stod(*v[27]);
  }
  return r;
}

std::string report_sql(const ReportQuery& q, const Dialect& dialect) {
  std::string key, from = "requests";
  const std::string& p = dialect.param;
  if (q.group_by == "day")
    key = dialect.day;
  else if (q.group_by == "model")
    key = "COALESCE(NULLIF(model, ''), model_requested)";  // see ReportSums::add
  else if (q.group_by == "provider")
    key = "provider";
  else if (q.group_by == "user")
    key = "user_name";
  else if (q.group_by == "team")
    key = "team";
  else if (q.group_by == "tag") {
    key = dialect.tag;
    from = dialect.tag_from;
  } else {
    throw StoreError("group_by must be one of day, model, provider, user, tag, team");
  }
  // The filters, in report_params' order after the window.
  std::string where;
  int next = 3;
  auto equal = [&](const std::optional<std::string>& value, std::string_view column) {
    if (value) where += fmt::format(" AND {} = {}{}", column, p, next++);
  };
  equal(q.team, "team");
  equal(q.user, "user_name");
  equal(q.model, "COALESCE(NULLIF(model, ''), model_requested)");
  equal(q.provider, "provider");
  equal(q.key_id, "key_id");
  if (q.byok) where += *q.byok ? " AND byok <> 0" : " AND byok = 0";
  if (!q.tags.empty()) {
    std::string any;
    for (std::size_t i = 0; i < q.tags.size(); ++i)
      any += fmt::format("{}requests.tags::jsonb ? {}{}", i ? " OR " : "", p, next++);
    where += " AND (" + any + ")";
  }
  return fmt::format(
      "SELECT {0} AS k, COALESCE(SUM(cost), 0), SUM(input_tokens), SUM(output_tokens), SUM(cache_read_tokens), "
      "SUM(cache_write_tokens), SUM(reasoning_tokens), COUNT(*) FROM {1} WHERE created_ms >= {2}1 AND created_ms < "
      "{2}2{3} "
      "GROUP BY k ORDER BY k",
      key, from, p, where);
}

std::vector<std::optional<std::string>> report_params(const ReportQuery& q) {
  std::vector<std::optional<std::string>> params{std::to_string(q.start_ms), std::to_string(q.end_ms)};
  for (const auto* value : {&q.team, &q.user, &q.model, &q.provider, &q.key_id})
    if (*value) params.push_back(**value);
  for (const auto& tag : q.tags) params.push_back(tag);
  return params;
}

std::string scan_sql(const ScanQuery& query, const std::string& p) {
  std::string sql =
      fmt::format("SELECT {} FROM requests WHERE created_ms >= {}1 AND created_ms < {}2", name_list(), p, p);
  int next = 4;
  if (query.team) sql += fmt::format(" AND team = {}{}", p, next++);
  if (query.not_instance) sql += fmt::format(" AND substr(id, 15, 4) <> {}{}", p, next++);
  return sql + fmt::format(" ORDER BY created_ms LIMIT {}3", p);
}

std::vector<std::optional<std::string>> scan_params(const ScanQuery& query) {
  std::vector<std::optional<std::string>> params{std::to_string(query.start_ms), std::to_string(query.end_ms),
                                                 std::to_string(query.limit)};
  if (query.team) params.push_back(*query.team);
  if (query.not_instance) params.push_back(*query.not_instance);
  return params;
}

ReportRow report_row_of(const std::vector<std::optional<std::string>>& v) {
  ReportRow row;
  row.key = v[0].value_or("");
  row.total_cost = v[1] ? std::stod(*v[1]) : 0;
  row.input_tokens = integer(v[2]);
  row.output_tokens = integer(v[3]);
  row.cached_input_tokens = integer(v[4]);
  row.cache_creation_input_tokens = integer(v[5]);
  row.reasoning_tokens = integer(v[6]);
  row.request_count = integer(v[7]);
  return row;
}

}  // namespace switchyard::record_columns
