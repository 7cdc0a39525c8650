// The embedded store: one SQLite file in WAL mode. The recorder's thread writes through one
// connection; each read opens its own, so reports never wait for a write batch (WAL readers
// see the last committed state).
#include <sqlite3.h>

#include <fmt/format.h>

#include "storage/record_columns.h"
#include "storage/sqlite_store.h"

namespace switchyard {
namespace {

class Db {
 public:
  Db(const std::string& path, int flags) {
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
      std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      throw StoreError(fmt::format("cannot open SQLite database '{}': {}", path, message));
    }
    sqlite3_busy_timeout(db_, 5000);
  }
  ~Db() { sqlite3_close(db_); }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  void exec(const std::string& sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      std::string message = error ? error : "unknown error";
      sqlite3_free(error);
      throw StoreError(fmt::format("SQLite: {} (in: {})", message, sql.substr(0, 80)));
    }
  }

  // Runs `sql` with text parameters; calls `row` with each result row's columns as text.
  template <class Row>
  void query(const std::string& sql, const std::vector<std::optional<std::string>>& params, Row&& row) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK)
      throw StoreError(fmt::format("SQLite: {}", sqlite3_errmsg(db_)));
    std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> guard(statement, sqlite3_finalize);
    bind(statement, params.begin(), params.end());
    std::vector<std::optional<std::string>> columns;
    int rc;
    while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
      columns.assign(sqlite3_column_count(statement), std::nullopt);
      for (int i = 0; i < sqlite3_column_count(statement); ++i)
        if (sqlite3_column_type(statement, i) != SQLITE_NULL)
          columns[i] = reinterpret_cast<const char*>(sqlite3_column_text(statement, i));
      row(columns);
    }
    if (rc != SQLITE_DONE) throw StoreError(fmt::format("SQLite: {}", sqlite3_errmsg(db_)));
  }

  template <class It>
  void bind(sqlite3_stmt* statement, It begin, It end) {
    int i = 1;
    for (auto it = begin; it != end; ++it, ++i) {
      if (*it)
        sqlite3_bind_text(statement, i, (*it)->data(), static_cast<int>((*it)->size()), SQLITE_STATIC);  // outlive the step
      else
        sqlite3_bind_null(statement, i);
    }
  }

  sqlite3* get() { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

class SqliteStore final : public RecordStore {
 public:
  explicit SqliteStore(std::string path) : path_(std::move(path)), writer_(path_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX) {
    writer_.exec("PRAGMA journal_mode=WAL");
    writer_.exec("PRAGMA synchronous=NORMAL");
    migrate();
    std::string placeholders;
    for (std::size_t i = 1; i <= record_columns::kNames.size(); ++i) placeholders += fmt::format("{}?{}", i > 1 ? ", " : "", i);
    std::string sql = fmt::format("INSERT OR IGNORE INTO requests ({}) VALUES ({})", record_columns::name_list(), placeholders);
    if (sqlite3_prepare_v2(writer_.get(), sql.c_str(), -1, &insert_, nullptr) != SQLITE_OK)
      throw StoreError(fmt::format("SQLite: {}", sqlite3_errmsg(writer_.get())));
  }
  ~SqliteStore() override { sqlite3_finalize(insert_); }

  void write(std::span<const UsageRecord> records) override {
    writer_.exec("BEGIN IMMEDIATE");
    try {
      // Typed values bound in place (no string per column): the insert is most of a record's cost.
      struct Binder {
        sqlite3_stmt* statement;
        int at = 1;
        void text(std::string_view v) { sqlite3_bind_text(statement, at++, v.data(), static_cast<int>(v.size()), SQLITE_STATIC); }
        void integer(int64_t v) { sqlite3_bind_int64(statement, at++, v); }
        void real(std::optional<double> v) { v ? sqlite3_bind_double(statement, at++, *v) : sqlite3_bind_null(statement, at++); }
        void optional_integer(std::optional<int64_t> v) { v ? integer(*v) : void(sqlite3_bind_null(statement, at++)); }
      };
      for (const auto& record : records) {
        std::string tags = record_columns::tags_json(record), attempts = attempts_json(record.attempts);
        sqlite3_reset(insert_);
        Binder binder{insert_};
        record_columns::visit_columns(record, tags, attempts, binder);
        if (sqlite3_step(insert_) != SQLITE_DONE) throw StoreError(fmt::format("SQLite: {}", sqlite3_errmsg(writer_.get())));
      }
      writer_.exec("COMMIT");
    } catch (...) {
      sqlite3_exec(writer_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  }

  std::optional<UsageRecord> find(const std::string& id) override {
    Db reader(path_, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX);
    std::optional<UsageRecord> found;
    reader.query(fmt::format("SELECT {} FROM requests WHERE id = ?1", record_columns::name_list()), {id},
                 [&](const auto& columns) { found = record_columns::record_of(columns); });
    return found;
  }

  std::vector<ReportRow> report(const ReportQuery& query) override {
    Db reader(path_, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX);
    std::vector<ReportRow> rows;
    std::vector<std::optional<std::string>> params{std::to_string(query.start_ms), std::to_string(query.end_ms)};
    if (query.team) params.push_back(*query.team);
    static const record_columns::Dialect sqlite{"strftime('%Y-%m-%d', created_ms / 1000, 'unixepoch')",
                                                "requests, json_each(requests.tags) AS t", "t.value", "?"};
    reader.query(record_columns::report_sql(query, sqlite),
                 params, [&](const auto& columns) { rows.push_back(record_columns::report_row_of(columns)); });
    return rows;
  }

  std::vector<UsageRecord> scan(const ScanQuery& query) override {
    Db reader(path_, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX);
    std::vector<UsageRecord> out;
    reader.query(record_columns::scan_sql(query, "?"),
                 record_columns::scan_params(query),
                 [&](const auto& columns) { out.push_back(record_columns::record_of(columns)); });
    return out;
  }

  std::string describe() const override { return "sqlite:" + path_; }

 private:
  void migrate() {
    writer_.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)");
    int64_t applied = 0;
    writer_.query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", {},
                  [&](const auto& columns) { applied = std::stoll(columns[0].value_or("0")); });
    auto steps = record_columns::migrations("REAL", "INTEGER");
    for (std::size_t version = applied + 1; version <= steps.size(); ++version) {
      writer_.exec("BEGIN");
      writer_.exec(steps[version - 1]);
      writer_.exec(fmt::format("INSERT INTO schema_migrations (version) VALUES ({})", version));
      writer_.exec("COMMIT");
    }
  }

  std::string path_;
  Db writer_;
  sqlite3_stmt* insert_ = nullptr;
};

}  // namespace

std::unique_ptr<RecordStore> open_sqlite_store(const std::string& path) { return std::make_unique<SqliteStore>(path); }

}  // namespace switchyard
