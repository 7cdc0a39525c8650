// The embedded store: one SQLite file in WAL mode. The recorder's thread writes through one
// connection; each read opens its own, so reports never wait for a write batch (WAL readers
// see the last committed state), and so does each write from elsewhere (stored responses, the
// admin API's keys and teams), which waits for the recorder's transaction (busy_timeout).
#include <sqlite3.h>
#include <sys/stat.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>
#include <tuple>
#include <unordered_set>

#include "core/request_id.h"
#include "storage/log_pages.h"
#include "storage/record_codec.h"

#include "storage/record_columns.h"
#include "storage/report_sums.h"
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
        sqlite3_bind_text(statement, i, (*it)->data(), static_cast<int>((*it)->size()),
                          SQLITE_STATIC);  // outlive the step
      else
        sqlite3_bind_null(statement, i);
    }
  }

  sqlite3* get() { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

// A prepared statement, finalized with its owner.
class Statement {
 public:
  Statement() = default;
  Statement(Db& db, const char* sql) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db.get(), sql, -1, &statement, nullptr) != SQLITE_OK)
      throw StoreError(fmt::format("SQLite: {}", sqlite3_errmsg(db.get())));
    statement_.reset(statement);
  }
  sqlite3_stmt* get() const { return statement_.get(); }

 private:
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> statement_{nullptr, sqlite3_finalize};
};

// Records live in blocks: one row holds up to kBlockRecords records as encoded bytes
// (record_codec.h) with the range of their times. A row per record cost the writer ~4 us per
// record (the row, its primary key and two indexes: bench/run, "Accounting"); a block costs one
// row per thousand. Reads decode the blocks of their window: a block's records lie within
// EncodedRecords::kMaxSpanMs of each other, so the blocks of a window are one range of the first_ms index.
constexpr const char* kStoredResponsesTable =
    "CREATE TABLE IF NOT EXISTS stored_responses (id TEXT PRIMARY KEY, team TEXT NOT NULL, "
    "created_ms INTEGER NOT NULL, input TEXT NOT NULL, response TEXT NOT NULL)";

class SqliteStore final : public RecordStore {
 public:
  static constexpr std::size_t kBlockRecords = 1000;
  // A block still open to small batches (a quiet gateway) is rewritten whole with each: only
  // while it is smaller than this, so it is not rewritten hundreds of times.
  static constexpr std::size_t kReopenBytes = std::size_t{16} * 1024;

  explicit SqliteStore(std::string path)
      : path_(std::move(path)), writer_(path_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX) {
    // Blocks are tens of KB: pages of 16 KB write one in a few syscalls, where pages of 64 KB
    // rewrite too much of the index with each (record_store_bench: 2.1 M records/s at 64 KB,
    // 2.7 M at 4 KB, 2.8 M at 16 KB). Only a new file takes it.
    writer_.exec("PRAGMA page_size=16384");
    writer_.exec("PRAGMA journal_mode=WAL");
    writer_.exec("PRAGMA synchronous=NORMAL");
    migrate();
    identity_ = file_identity(path_);
  }

  void write(std::span<const UsageRecord> records) override {
    // Ids already stored among the blocks of the batch's time range are left out.
    std::unordered_set<std::string> stored;
    if (!records.empty()) {
      auto [first, last] = std::minmax_element(records.begin(), records.end(), by_time);
      std::vector<UsageRecord> decoded;
      for_each_block(writer_, first->created_ms, last->created_ms + 1, [&](std::string_view block) {
        decode_records(block, decoded);
        for (auto& r : decoded) stored.insert(std::move(r.id));
        return true;
      });
    }
    std::vector<EncodedRecords> batches(1);
    for (const auto& r : records) {
      if (!stored.insert(r.id).second) continue;  // a repeat within the batch too
      if (batches.back().count == kBlockRecords || !batches.back().fits(r.created_ms, r.created_ms))
        batches.emplace_back();
      batches.back().add(r);
    }
    in_transaction([&] {
      for (const auto& batch : batches) add_to_blocks(batch);
    });
  }

  void append(const EncodedRecords& records) override {
    in_transaction([&] { add_to_blocks(records); });
  }

  std::optional<UsageRecord> find(const std::string& id) override {
    Db reader(path_, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX);
    std::optional<UsageRecord> found;
    std::vector<UsageRecord> decoded;
    auto look = [&](std::string_view block) {
      if (block.find(id) == std::string_view::npos) return true;  // no need to decode it
      decode_records(block, decoded);
      for (auto& r : decoded)
        if (r.id == id) found = std::move(r);
      return !found;
    };
    // An id tells its request's start, which is the record's time (to the millisecond): its
    // blocks are few. An id that is not one of ours (gen_ + ULID) is not looked for: reading every
    // block for it would let any key make the store read everything.
    if (auto at = request_id_unix_ms(id)) for_each_block(reader, *at - 1000, *at + 1000, look);
    return found;
  }

  std::vector<ReportRow> report(const ReportQuery& query) override {
    ReportSums sums(query.group_by);
    Db reader(path_, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX);
    std::vector<UsageRecord> decoded;
    for_each_block(reader, query.start_ms, query.end_ms, [&](std::string_view block) {
      decode_records(block, decoded);
      for (const auto& r : decoded)
        if (selects(query.start_ms, query.end_ms, query.team, r) && passes_filters(query, r)) sums.add(r);
      return true;
    });
    return sums.rows();
  }

  std::vector<UsageRecord> scan(const ScanQuery& query) override {
    if (query.limit == 0) return {};
    Db reader(path_, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX);
    std::vector<UsageRecord> out, decoded;
    auto earlier = [](const UsageRecord& a, const UsageRecord& b) {
      return std::tie(a.created_ms, a.id) < std::tie(b.created_ms, b.id);
    };
    // Blocks come in order of their first time: once `limit` records are earlier than the next
    // block's first, no later block has one of the first `limit`.
    for_each_block(reader, query.start_ms, query.end_ms, [&](std::string_view block, int64_t block_first_ms) {
      if (out.size() >= query.limit) {
        std::nth_element(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(query.limit - 1), out.end(), earlier);
        out.resize(query.limit);
        if (block_first_ms > out.back().created_ms) return false;
      }
      decode_records(block, decoded);
      for (auto& r : decoded)
        if (selects(query.start_ms, query.end_ms, query.team, r) &&
            (!query.not_instance || std::string_view(r.id).substr(14, 4) != *query.not_instance))
          out.push_back(std::move(r));
      return true;
    });
    std::sort(out.begin(), out.end(), earlier);
    if (out.size() > query.limit) out.resize(query.limit);
    return out;
  }

  // Blocks are read newest last_ms first: a record of the page is final once it is newer than the
  // next block's last_ms, since no block left can hold a newer one (LogPageBuilder keeps the
  // others until then). Blocks overlap in time, so one holds records older than those of the
  // next; within kMaxSpanMs, as a block's records are, which bounds the range of last_ms to read.
  // When the budget ends the reading, the next page starts at (that last_ms + 1, ""): every record
  // of that millisecond and older is read again then, every newer one was read now.
  LogPage recent(const LogQuery& query) override {
    LogPageBuilder page(query);
    if (!page.wants_more()) return page.finish();
    Db reader(path_, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX);
    // The index on last_ms gives the order; without statistics SQLite might prefer first_ms's.
    Statement blocks(reader,
                     "SELECT records, records_count, last_ms FROM record_blocks INDEXED BY record_blocks_last "
                     "WHERE last_ms >= ?1 AND last_ms <= ?2 AND first_ms <= ?3 ORDER BY last_ms DESC");
    const int64_t newest = page.newest_ms();
    sqlite3_bind_int64(blocks.get(), 1, query.start_ms);
    sqlite3_bind_int64(blocks.get(), 2,
                       newest > std::numeric_limits<int64_t>::max() - EncodedRecords::kMaxSpanMs
                           ? std::numeric_limits<int64_t>::max()
                           : newest + EncodedRecords::kMaxSpanMs);
    sqlite3_bind_int64(blocks.get(), 3, newest);
    int rc = sqlite3_step(blocks.get());
    while (rc == SQLITE_ROW && page.wants_more()) {
      page.offer_block(std::string_view(static_cast<const char*>(sqlite3_column_blob(blocks.get(), 0)),
                                        static_cast<std::size_t>(sqlite3_column_bytes(blocks.get(), 0))),
                       static_cast<std::size_t>(sqlite3_column_int64(blocks.get(), 1)));
      rc = sqlite3_step(blocks.get());
      if (rc != SQLITE_ROW) continue;
      // No record of the page has the largest time (the window's end is exclusive): no bound then.
      int64_t next_last = sqlite3_column_int64(blocks.get(), 2);
      if (next_last < std::numeric_limits<int64_t>::max()) page.settle({next_last + 1, ""});
    }
    if (rc == SQLITE_DONE)
      page.settle_all();
    else if (rc != SQLITE_ROW)
      throw StoreError(fmt::format("SQLite: {}", sqlite3_errmsg(reader.get())));
    return page.finish();
  }

  // Responses live in their own table, written on a connection of their own: the writer belongs
  // to the recorder's thread, and these calls come from the blocking pool.
  void put_response(const StoredResponse& r, int64_t expire_before_ms) override {
    Db db(path_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX);
    db.query("INSERT OR REPLACE INTO stored_responses (id, team, created_ms, input, response) VALUES (?, ?, ?, ?, ?)",
             {r.id, r.team, std::to_string(r.created_ms), r.input, r.response}, [](const auto&) {});
    db.query("DELETE FROM stored_responses WHERE created_ms < ?", {std::to_string(expire_before_ms)},
             [](const auto&) {});
  }

  std::optional<StoredResponse> find_response(const std::string& id) override {
    Db reader(path_, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX);
    std::optional<StoredResponse> found;
    reader.query(fmt::format("SELECT {} FROM stored_responses WHERE id = ?", record_columns::kStoredResponseColumns),
                 {id}, [&](const auto& columns) { found = record_columns::stored_response_of(columns); });
    return found;
  }

  bool delete_response(const std::string& id) override {
    Db db(path_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX);
    db.query("DELETE FROM stored_responses WHERE id = ?", {id}, [](const auto&) {});
    return sqlite3_changes(db.get()) > 0;
  }

  // Keys and teams, like responses, are written on a connection of their own.
  void put_key(const PolicyRow& row) override {
    Db db(path_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX);
    db.query(
        "INSERT INTO gateway_keys (id, team, updated_ms, body) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
        "team = excluded.team, updated_ms = excluded.updated_ms, body = excluded.body",
        {row.id, row.team, std::to_string(row.updated_ms), row.body}, [](const auto&) {});
  }

  std::vector<PolicyRow> keys_changed_since(int64_t since_ms, std::size_t limit) override {
    return changed_since(
        fmt::format("SELECT {} FROM gateway_keys WHERE updated_ms >= ? ORDER BY updated_ms, id LIMIT ?",
                    record_columns::kKeyColumns),
        since_ms, limit);
  }

  void put_team(const PolicyRow& row) override {
    Db db(path_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX);
    db.query(
        "INSERT INTO gateway_teams (name, updated_ms, body) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
        "updated_ms = excluded.updated_ms, body = excluded.body",
        {row.id, std::to_string(row.updated_ms), row.body}, [](const auto&) {});
  }

  std::vector<PolicyRow> teams_changed_since(int64_t since_ms, std::size_t limit) override {
    return changed_since(
        fmt::format("SELECT {} FROM gateway_teams WHERE updated_ms >= ? ORDER BY updated_ms, name LIMIT ?",
                    record_columns::kTeamColumns),
        since_ms, limit);
  }

  std::string describe() const override { return "sqlite:" + path_; }

 private:
  // The rows `sql` selects (record_columns::kKeyColumns or kTeamColumns) for its parameters
  // since_ms and limit (SQLite's LIMIT is a signed 64-bit integer: a larger one means all).
  std::vector<PolicyRow> changed_since(const std::string& sql, int64_t since_ms, std::size_t limit) {
    Db reader(path_, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX);
    std::vector<PolicyRow> rows;
    reader.query(
        sql,
        {std::to_string(since_ms), std::to_string(std::min<std::size_t>(limit, std::numeric_limits<int64_t>::max()))},
        [&](const auto& columns) { rows.push_back(record_columns::policy_row_of(columns)); });
    return rows;
  }

  static bool by_time(const UsageRecord& a, const UsageRecord& b) { return a.created_ms < b.created_ms; }
  // Whether a record of a block read for [start, end) belongs to the query (blocks overlap it).
  static bool selects(int64_t start_ms, int64_t end_ms, const std::optional<std::string>& team, const UsageRecord& r) {
    return r.created_ms >= start_ms && r.created_ms < end_ms && (!team || r.team == *team);
  }

  // The file's device and inode; nullopt when there is no file at the path.
  static std::optional<std::pair<dev_t, ino_t>> file_identity(const std::string& path) {
    struct stat info;
    if (::stat(path.c_str(), &info) != 0) return std::nullopt;
    return std::pair{info.st_dev, info.st_ino};
  }

  template <class Body>
  void in_transaction(Body&& body) {
    // Writes to a file deleted or replaced under the gateway would go to an inode no one can read
    // again: the store counts as down (records go to the journal) until the file is back.
    if (path_ != ":memory:" && file_identity(path_) != identity_)
      throw StoreError(fmt::format("the database file {} was removed or replaced while the gateway ran", path_));
    writer_.exec("BEGIN IMMEDIATE");
    try {
      body();
      writer_.exec("COMMIT");
    } catch (...) {
      sqlite3_exec(writer_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
      open_ = OpenBlock{};  // what it held may be rolled back: the next records start a new block
      throw;
    }
  }

  // Records join the open block while they fit in it (a quiet gateway's small batches); a batch
  // that does not starts a block of its own.
  void add_to_blocks(const EncodedRecords& records) {
    if (records.count == 0) return;
    if (open_.rowid == 0 || open_.records.count + records.count > kBlockRecords ||
        open_.records.bytes.size() >= kReopenBytes || !open_.records.fits(records))
      open_ = OpenBlock{};
    open_.records.add(records);
    const EncodedRecords& block = open_.records;
    sqlite3_stmt* statement = open_.rowid ? update_.get() : insert_.get();
    sqlite3_reset(statement);
    sqlite3_bind_int64(statement, 1, block.first_ms);
    sqlite3_bind_int64(statement, 2, block.last_ms);
    sqlite3_bind_int64(statement, 3, static_cast<int64_t>(block.count));
    sqlite3_bind_blob64(statement, 4, block.bytes.data(), block.bytes.size(), SQLITE_STATIC);
    if (open_.rowid) sqlite3_bind_int64(statement, 5, open_.rowid);
    if (sqlite3_step(statement) != SQLITE_DONE)
      throw StoreError(fmt::format("SQLite: {}", sqlite3_errmsg(writer_.get())));
    if (!open_.rowid) open_.rowid = sqlite3_last_insert_rowid(writer_.get());
  }

  // The last block written, which small batches may still join (rowid 0: none).
  struct OpenBlock {
    int64_t rowid = 0;
    EncodedRecords records;
  };

  // Calls `each(block bytes, block first_ms)` (or `each(block bytes)`) for every block that may
  // hold records of [start, end), in order of first_ms, until it returns false.
  template <class Each>
  static void for_each_block(Db& db, int64_t start_ms, int64_t end_ms, Each&& each) {
    Statement statement(
        db,
        "SELECT records, first_ms FROM record_blocks WHERE first_ms >= ?1 AND first_ms < ?2 AND last_ms >= ?3 "
        "ORDER BY first_ms");
    sqlite3_bind_int64(statement.get(), 1, start_ms - EncodedRecords::kMaxSpanMs);
    sqlite3_bind_int64(statement.get(), 2, end_ms);
    sqlite3_bind_int64(statement.get(), 3, start_ms);
    int rc;
    while ((rc = sqlite3_step(statement.get())) == SQLITE_ROW) {
      std::string_view block(static_cast<const char*>(sqlite3_column_blob(statement.get(), 0)),
                             static_cast<std::size_t>(sqlite3_column_bytes(statement.get(), 0)));
      bool go_on;
      if constexpr (std::is_invocable_v<Each, std::string_view, int64_t>)
        go_on = each(block, sqlite3_column_int64(statement.get(), 1));
      else
        go_on = each(block);
      if (!go_on) return;
    }
    if (rc != SQLITE_DONE) throw StoreError(fmt::format("SQLite: {}", sqlite3_errmsg(db.get())));
  }

  void migrate() {
    writer_.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)");
    writer_.exec(kStoredResponsesTable);
    writer_.exec("CREATE INDEX IF NOT EXISTS stored_responses_created ON stored_responses (created_ms)");
    int64_t applied = 0;
    writer_.query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", {},
                  [&](const auto& columns) { applied = std::stoll(columns[0].value_or("0")); });
    if (applied < kBlocksVersion) {
      writer_.exec("BEGIN");
      writer_.exec(
          "CREATE TABLE record_blocks (first_ms INTEGER NOT NULL, last_ms INTEGER NOT NULL, "
          "records_count INTEGER NOT NULL, records BLOB NOT NULL)");
      writer_.exec("CREATE INDEX record_blocks_time ON record_blocks (first_ms, last_ms)");
      prepare_writes();
      if (applied > 0) move_rows_into_blocks();
      writer_.exec(fmt::format("INSERT INTO schema_migrations (version) VALUES ({})", kBlocksVersion));
      writer_.exec("COMMIT");
      open_ = OpenBlock{};
    } else {
      prepare_writes();
    }
    if (applied < kPolicyVersion) migrate_to(kPolicyVersion, record_columns::policy_tables("INTEGER"));
    if (applied < kLastIndexVersion)
      migrate_to(kLastIndexVersion, {"CREATE INDEX record_blocks_last ON record_blocks (last_ms)"});
  }

  // Runs `steps` and records `version` as applied, in one transaction.
  void migrate_to(int64_t version, const std::vector<std::string>& steps) {
    writer_.exec("BEGIN");
    for (const auto& step : steps) writer_.exec(step);
    writer_.exec(fmt::format("INSERT INTO schema_migrations (version) VALUES ({})", version));
    writer_.exec("COMMIT");
  }

  // Versions 1-3 kept a row per record (the table `requests`, record_columns.h, as PostgreSQL
  // still does); version 4 moves them into blocks.
  static constexpr int64_t kBlocksVersion = 4;
  // Version 5: the admin API's keys and teams (record_columns::policy_tables).
  static constexpr int64_t kPolicyVersion = 5;
  // Version 6: blocks by their last time, which the request log reads newest first (recent).
  static constexpr int64_t kLastIndexVersion = 6;
  void move_rows_into_blocks() {
    std::size_t moved = 0;
    EncodedRecords block;
    writer_.query(fmt::format("SELECT {} FROM requests ORDER BY created_ms",
                              record_columns::name_list(record_columns::kFirstColumns)),
                  {}, [&](const auto& columns) {
                    UsageRecord record = record_columns::record_of(columns);
                    if (block.count == kBlockRecords || !block.fits(record.created_ms, record.created_ms)) {
                      add_to_blocks(block);
                      block.clear();
                    }
                    block.add(record);
                    ++moved;
                  });
    add_to_blocks(block);
    writer_.exec("DROP TABLE requests");
    if (moved) spdlog::info("{}: {} records moved from rows into blocks", describe(), moved);
  }

  void prepare_writes() {
    insert_ = Statement(
        writer_, "INSERT INTO record_blocks (first_ms, last_ms, records_count, records) VALUES (?1, ?2, ?3, ?4)");
    update_ = Statement(
        writer_,
        "UPDATE record_blocks SET first_ms = ?1, last_ms = ?2, records_count = ?3, records = ?4 WHERE rowid = ?5");
  }

  std::string path_;
  std::optional<std::pair<dev_t, ino_t>> identity_;  // of the file opened
  Db writer_;
  Statement insert_, update_;
  OpenBlock open_;
};

}  // namespace

std::unique_ptr<RecordStore> open_sqlite_store(const std::string& path) { return std::make_unique<SqliteStore>(path); }

}  // namespace switchyard
