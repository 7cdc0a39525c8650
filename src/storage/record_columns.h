#pragma once
// The records table, shared by every store: its migrations, its columns in order, and a record
// as the text values of those columns (both SQLite and PostgreSQL take parameters as text and
// convert them to the column's type).
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "storage/record_store.h"

namespace switchyard::record_columns {

inline constexpr std::array<const char*, 26> kNames = {
    "id",          "created_ms",   "team",           "key_id",        "user_name",         "use_case",
    "endpoint",    "tags",         "model_requested", "model",        "provider",          "upstream_model",
    "streamed",    "finish_reason", "input_tokens",   "output_tokens", "cache_read_tokens", "cache_write_tokens",
    "reasoning_tokens", "cost",    "byok",           "ttft_ms",       "latency_ms",        "status",
    "error",       "attempts"};

using Values = std::array<std::optional<std::string>, kNames.size()>;

// Tags as the JSON text the column holds (attempts: attempts_json, storage/usage_record.h).
std::string tags_json(const UsageRecord& record);

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
}

// Schema migrations in order; `real` and `bigint` name the dialect's types.
std::vector<std::string> migrations(const char* real_type, const char* int64_type);

Values values_of(const UsageRecord& record);
UsageRecord record_of(const std::vector<std::optional<std::string>>& values);

// "id, created_ms, ..." for SELECT and INSERT.
std::string name_list();

// What differs between SQL dialects in a report.
struct Dialect {
  std::string day;       // created_ms as YYYY-MM-DD
  std::string tag_from;  // FROM clause giving one row per (request, tag)
  std::string tag;       // the tag in those rows
  std::string param;     // parameter prefix: "?" or "$"
};

// The SQL for a report; parameters are 1: start, 2: end, 3: team (when scoped).
std::string report_sql(const ReportQuery& query, const Dialect& dialect);

// The SQL of a scan, with `param` as the parameter prefix ("?" or "$"), and its parameters.
std::string scan_sql(const ScanQuery& query, const std::string& param);
std::vector<std::optional<std::string>> scan_params(const ScanQuery& query);

ReportRow report_row_of(const std::vector<std::optional<std::string>>& values);

}  // namespace switchyard::record_columns
