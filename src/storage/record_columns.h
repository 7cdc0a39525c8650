#pragma once
// The records table of PostgreSQL (and of SQLite files before schema 4, which are converted into
// blocks when opened): its migrations, its columns in order, and a record as the text values of
// those columns (both take parameters as text and convert them to the column's type). Also the
// tables both stores share: stored responses, and the admin API's keys and teams.
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "storage/record_store.h"

namespace switchyard::record_columns {

inline constexpr std::array<const char*, 28> kNames = {"id",
                                                       "created_ms",
                                                       "team",
                                                       "key_id",
                                                       "user_name",
                                                       "use_case",
                                                       "endpoint",
                                                       "tags",
                                                       "model_requested",
                                                       "model",
                                                       "provider",
                                                       "upstream_model",
                                                       "streamed",
                                                       "finish_reason",
                                                       "input_tokens",
                                                       "output_tokens",
                                                       "cache_read_tokens",
                                                       "cache_write_tokens",
                                                       "reasoning_tokens",
                                                       "cost",
                                                       "byok",
                                                       "ttft_ms",
                                                       "latency_ms",
                                                       "status",
                                                       "error",
                                                       "attempts",
                                                       "cache_hit",
                                                       "saved_cost"};
// The first kFirstColumns are the table as migrations() makes it, and as SQLite files before
// schema 4 have it; added_columns() adds the others (PostgreSQL's later migrations).
inline constexpr std::size_t kFirstColumns = 26;

using Values = std::array<std::optional<std::string>, kNames.size()>;

// Schema migrations in order; `real` and `bigint` name the dialect's types.
std::vector<std::string> migrations(const char* real_type, const char* int64_type);
// The statement that adds the columns past kFirstColumns to a table made by migrations(): the
// response cache's cache_hit (0 or 1, 0 for rows from before) and saved_cost (null: none or
// unpriced). Adding them rewrites no row (PostgreSQL 11 and later).
std::string added_columns(const char* real_type);

Values values_of(const UsageRecord& record);
// The values of the columns of kNames in order: all of them, or the first kFirstColumns only
// (the others then read as in a row from before they were added).
UsageRecord record_of(const std::vector<std::optional<std::string>>& values);

// The columns of the stored_responses table, as SELECT lists them, and a row of them read back.
inline constexpr const char* kStoredResponseColumns = "id, team, created_ms, input, response";
StoredResponse stored_response_of(const std::vector<std::optional<std::string>>& values);

// The tables of the admin API's keys (gateway_keys) and teams (gateway_teams) with their indexes,
// one statement each, in the order a migration runs them; `int64_type` names the dialect's type.
// Stores number these statements among their migrations: later changes are new migrations there.
std::vector<std::string> policy_tables(const char* int64_type);
// The columns of each, as SELECT lists them to read a PolicyRow back (a team is its own team).
inline constexpr const char* kKeyColumns = "id, team, updated_ms, body";
inline constexpr const char* kTeamColumns = "name, name, updated_ms, body";
PolicyRow policy_row_of(const std::vector<std::optional<std::string>>& values);

// "id, created_ms, ..." for SELECT and INSERT: the first `columns` of kNames.
std::string name_list(std::size_t columns = kNames.size());

// What differs between SQL dialects in a report.
struct Dialect {
  std::string day;       // created_ms as YYYY-MM-DD
  std::string tag_from;  // FROM clause giving one row per (request, tag)
  std::string tag;       // the tag in those rows
  std::string param;     // parameter prefix: "?" or "$"
};

// The SQL for a report; parameters are 1: start, 2: end, then the filters given (team first).
std::string report_sql(const ReportQuery& query, const Dialect& dialect);
// The parameters of report_sql(query, ...), in its placeholders' order.
std::vector<std::optional<std::string>> report_params(const ReportQuery& query);

// The SQL of a scan, with `param` as the parameter prefix ("?" or "$"), and its parameters.
std::string scan_sql(const ScanQuery& query, const std::string& param);
std::vector<std::optional<std::string>> scan_params(const ScanQuery& query);

ReportRow report_row_of(const std::vector<std::optional<std::string>>& values);

}  // namespace switchyard::record_columns
