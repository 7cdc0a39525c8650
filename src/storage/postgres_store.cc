// PostgreSQL through libpq: one connection for the recorder's writes, one (behind a mutex) for
// reads and for the few writes from elsewhere (stored responses, the admin API's keys and teams).
// A lost connection is reopened on the next call; until then calls throw StoreError and the
// recorder keeps records in its journal.
#include <libpq-fe.h>

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <mutex>

#include "storage/log_pages.h"
#include "storage/postgres_store.h"
#include "storage/record_columns.h"

namespace switchyard {
namespace {

using Result = std::unique_ptr<PGresult, void (*)(PGresult*)>;

class Connection {
 public:
  explicit Connection(std::string url) : url_(std::move(url)) {}
  ~Connection() { close(); }

  // Runs `sql` with text parameters; throws StoreError (and drops the connection) on failure.
  Result run(const std::string& sql, const std::vector<std::optional<std::string>>& params = {}) {
    if (!conn_ || PQstatus(conn_) != CONNECTION_OK) open();
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
    Result result(
        PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr, nullptr, 0),
        PQclear);
    auto status = PQresultStatus(result.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      std::string message = PQerrorMessage(conn_);
      if (PQstatus(conn_) != CONNECTION_OK) close();
      throw StoreError(fmt::format("PostgreSQL: {}", message.empty() ? PQresStatus(status) : message));
    }
    return result;
  }

  template <class Row>
  void query(const std::string& sql, const std::vector<std::optional<std::string>>& params, Row&& row) {
    Result result = run(sql, params);
    std::vector<std::optional<std::string>> columns;
    for (int r = 0; r < PQntuples(result.get()); ++r) {
      columns.assign(PQnfields(result.get()), std::nullopt);
      for (int c = 0; c < PQnfields(result.get()); ++c)
        if (!PQgetisnull(result.get(), r, c)) columns[c] = PQgetvalue(result.get(), r, c);
      row(columns);
    }
  }

 private:
  void open() {
    close();
    conn_ = PQconnectdb(url_.c_str());
    if (PQstatus(conn_) != CONNECTION_OK) {
      std::string message = PQerrorMessage(conn_);
      close();
      throw StoreError(fmt::format("cannot connect to PostgreSQL: {}", message));
    }
    // A store that is slow but not failing would hold the writer (and grow its backlog) without
    // bound: a statement taking longer than this fails, and its records go to the journal.
    PQclear(PQexec(conn_, "SET statement_timeout = '10s'"));
  }
  void close() {
    if (conn_) PQfinish(conn_);
    conn_ = nullptr;
  }

  std::string url_;
  PGconn* conn_ = nullptr;
};

// Runs `body` between BEGIN and COMMIT; rolls back (as far as the connection allows) and rethrows
// when it fails.
template <class Body>
void in_transaction(Connection& connection, Body&& body) {
  connection.run("BEGIN");
  try {
    body();
    connection.run("COMMIT");
  } catch (const StoreError&) {
    try {
      connection.run("ROLLBACK");
    } catch (const StoreError&) {
    }
    throw;
  }
}

// libpq waits for a connect as long as TCP does unless told otherwise: a server that drops
// packets would stall the recorder (records would wait in memory instead of the journal).
std::string with_connect_timeout(std::string url) {
  if (url.find("connect_timeout=") != std::string::npos) return url;
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "connect_timeout=2";
}

class PostgresStore final : public RecordStore {
 public:
  explicit PostgresStore(std::string url) : url_(with_connect_timeout(std::move(url))), writer_(url_), reader_(url_) {
    // Tables from the start when the server is up, so reads work before the first write; when it
    // is down the gateway starts anyway and the first write migrates (the recorder logs it).
    try {
      migrate();
    } catch (const StoreError&) {
    }
  }

  void write(std::span<const UsageRecord> records) override {
    if (!migrated_) migrate();
    // Multi-row inserts of up to 500 records (kNames.size() parameters each; the limit is 65535).
    constexpr std::size_t kRows = 500;
    in_transaction(writer_, [&] {
      for (std::size_t first = 0; first < records.size(); first += kRows) {
        std::size_t n = std::min(kRows, records.size() - first);
        std::string sql = fmt::format("INSERT INTO requests ({}) VALUES ", record_columns::name_list());
        std::vector<std::optional<std::string>> params;
        params.reserve(n * record_columns::kNames.size());
        for (std::size_t i = 0; i < n; ++i) {
          sql += i ? ",(" : "(";
          for (std::size_t c = 0; c < record_columns::kNames.size(); ++c)
            sql += fmt::format("{}${}", c ? "," : "", params.size() + c + 1);
          sql += ")";
          for (auto& value : record_columns::values_of(records[first + i])) params.push_back(std::move(value));
        }
        sql += " ON CONFLICT (id) DO NOTHING";
        writer_.run(sql, params);
      }
    });
  }

  std::optional<UsageRecord> find(const std::string& id) override {
    std::lock_guard lock(read_mutex_);
    std::optional<UsageRecord> found;
    reader_.query(fmt::format("SELECT {} FROM requests WHERE id = $1", record_columns::name_list()), {id},
                  [&](const auto& columns) { found = record_columns::record_of(columns); });
    return found;
  }

  std::vector<ReportRow> report(const ReportQuery& query) override {
    std::lock_guard lock(read_mutex_);
    std::vector<std::optional<std::string>> params = record_columns::report_params(query);
    std::vector<ReportRow> rows;
    static const record_columns::Dialect postgres{
        "to_char(to_timestamp(created_ms / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
        "requests, LATERAL jsonb_array_elements_text(requests.tags::jsonb) AS t(tag)", "t.tag", "$"};
    reader_.query(record_columns::report_sql(query, postgres), params,
                  [&](const auto& columns) { rows.push_back(record_columns::report_row_of(columns)); });
    return rows;
  }

  std::vector<UsageRecord> scan(const ScanQuery& query) override {
    std::lock_guard lock(read_mutex_);
    std::vector<UsageRecord> out;
    reader_.query(record_columns::scan_sql(query, "$"), record_columns::scan_params(query),
                  [&](const auto& columns) { out.push_back(record_columns::record_of(columns)); });
    return out;
  }

  // Rows come in the log's order, in chunks that start where the last one ended: each row read
  // is final, and every row not read yet is older than the last one. The first chunk is a page,
  // as an unfiltered page needs; a filter that leaves rows out doubles the next, up to kLogChunk.
  // Ids compare as bytes (COLLATE "C"), as the cursor's do, whatever the database's collation.
  LogPage recent(const LogQuery& query) override {
    static constexpr std::size_t kLogChunk = 1000;
    LogPageBuilder page(query);
    const std::string sql = fmt::format(
        "SELECT {} FROM requests WHERE created_ms >= $1 AND created_ms <= $2 AND (created_ms < $2 OR id COLLATE \"C\" "
        "< $3){} ORDER BY created_ms DESC, id COLLATE \"C\" DESC LIMIT $4",
        record_columns::name_list(), query.team ? " AND team = $5" : "");
    LogPosition from = page.upper();
    std::size_t chunk = std::clamp<std::size_t>(query.limit, 1, kLogChunk);
    while (page.wants_more()) {
      chunk = std::min(chunk, page.budget_left());
      std::vector<std::optional<std::string>> params{std::to_string(query.start_ms), std::to_string(from.first),
                                                     from.second, std::to_string(chunk)};
      if (query.team) params.emplace_back(*query.team);
      std::size_t rows = 0;
      // The read connection is taken a chunk at a time: a long page never holds up the other
      // reads (a stored response the request path waits for).
      std::lock_guard lock(read_mutex_);
      reader_.query(sql, params, [&](const auto& columns) {
        UsageRecord r = record_columns::record_of(columns);
        ++rows;
        from = {r.created_ms, r.id};
        page.count(1);
        page.offer(std::move(r));
      });
      if (rows < chunk) {
        page.settle_all();
        break;
      }
      page.settle(from);
      chunk = std::min(chunk * 2, kLogChunk);
    }
    return page.finish();
  }

  void put_response(const StoredResponse& r, int64_t expire_before_ms) override {
    std::lock_guard lock(read_mutex_);
    reader_.run(
        "INSERT INTO stored_responses (id, team, created_ms, input, response) VALUES ($1, $2, $3, $4, $5) "
        "ON CONFLICT (id) DO UPDATE SET team = $2, created_ms = $3, input = $4, response = $5",
        {r.id, r.team, std::to_string(r.created_ms), r.input, r.response});
    reader_.run("DELETE FROM stored_responses WHERE created_ms < $1", {std::to_string(expire_before_ms)});
  }

  std::optional<StoredResponse> find_response(const std::string& id) override {
    std::lock_guard lock(read_mutex_);
    std::optional<StoredResponse> found;
    reader_.query(fmt::format("SELECT {} FROM stored_responses WHERE id = $1", record_columns::kStoredResponseColumns),
                  {id}, [&](const auto& columns) { found = record_columns::stored_response_of(columns); });
    return found;
  }

  bool delete_response(const std::string& id) override {
    std::lock_guard lock(read_mutex_);
    Result result = reader_.run("DELETE FROM stored_responses WHERE id = $1", {id});
    return std::string_view(PQcmdTuples(result.get())) != "0";
  }

  // Keys and teams go through the read connection, as stored responses do: they are few and small,
  // so they are not worth a third connection per gateway; a change or a poll may wait behind a
  // report (at most statement_timeout).
  void put_key(const PolicyRow& row) override {
    std::lock_guard lock(read_mutex_);
    reader_.run(
        "INSERT INTO gateway_keys (id, team, updated_ms, body) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO UPDATE "
        "SET team = EXCLUDED.team, updated_ms = EXCLUDED.updated_ms, body = EXCLUDED.body",
        {row.id, row.team, std::to_string(row.updated_ms), row.body});
  }

  std::vector<PolicyRow> keys_changed_since(int64_t since_ms, std::size_t limit) override {
    return changed_since(
        fmt::format("SELECT {} FROM gateway_keys WHERE updated_ms >= $1 ORDER BY updated_ms, id LIMIT $2",
                    record_columns::kKeyColumns),
        since_ms, limit);
  }

  void put_team(const PolicyRow& row) override {
    std::lock_guard lock(read_mutex_);
    reader_.run(
        "INSERT INTO gateway_teams (name, updated_ms, body) VALUES ($1, $2, $3) ON CONFLICT (name) DO UPDATE "
        "SET updated_ms = EXCLUDED.updated_ms, body = EXCLUDED.body",
        {row.id, std::to_string(row.updated_ms), row.body});
  }

  std::vector<PolicyRow> teams_changed_since(int64_t since_ms, std::size_t limit) override {
    return changed_since(
        fmt::format("SELECT {} FROM gateway_teams WHERE updated_ms >= $1 ORDER BY updated_ms, name LIMIT $2",
                    record_columns::kTeamColumns),
        since_ms, limit);
  }

  std::string describe() const override { return "postgres"; }
  bool shared() const override { return true; }

 private:
  // The rows `sql` selects (record_columns::kKeyColumns or kTeamColumns) for its parameters
  // since_ms and limit (a BIGINT: a larger limit means all).
  std::vector<PolicyRow> changed_since(const std::string& sql, int64_t since_ms, std::size_t limit) {
    std::lock_guard lock(read_mutex_);
    std::vector<PolicyRow> rows;
    reader_.query(
        sql,
        {std::to_string(since_ms), std::to_string(std::min<std::size_t>(limit, std::numeric_limits<int64_t>::max()))},
        [&](const auto& columns) { rows.push_back(record_columns::policy_row_of(columns)); });
    return rows;
  }

  void migrate() {
    writer_.run("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)");
    // One gateway at a time migrates: the others wait on the lock, then find nothing to do.
    in_transaction(writer_, [&] {
      writer_.run("SELECT pg_advisory_xact_lock(7261001)");
      int64_t applied = 0;
      writer_.query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", {},
                    [&](const auto& columns) { applied = std::stoll(columns[0].value_or("0")); });
      auto steps = record_columns::migrations("DOUBLE PRECISION", "BIGINT");
      // Versions 4 and 5: Responses API conversations (store: true), for previous_response_id. Later
      // steps go after these, never into record_columns::migrations (that would renumber them).
      steps.push_back(
          "CREATE TABLE stored_responses (id TEXT PRIMARY KEY, team TEXT NOT NULL, created_ms BIGINT NOT NULL, "
          "input TEXT NOT NULL, response TEXT NOT NULL)");
      steps.push_back("CREATE INDEX stored_responses_created ON stored_responses (created_ms)");
      // Versions 6 to 9: the admin API's keys and teams, with their indexes.
      for (auto& step : record_columns::policy_tables("BIGINT")) steps.push_back(std::move(step));
      // Version 10: the response cache's columns (cache_hit, saved_cost).
      steps.push_back(record_columns::added_columns("DOUBLE PRECISION"));
      for (std::size_t version = applied + 1; version <= steps.size(); ++version) {
        writer_.run(steps[version - 1]);
        writer_.run(fmt::format("INSERT INTO schema_migrations (version) VALUES ({})", version));
      }
    });
    migrated_ = true;
  }

  std::string url_;
  Connection writer_;
  std::mutex read_mutex_;
  Connection reader_;
  bool migrated_ = false;
};

}  // namespace

std::unique_ptr<RecordStore> open_postgres_store(const std::string& url) {
  return std::make_unique<PostgresStore>(url);
}

}  // namespace switchyard
