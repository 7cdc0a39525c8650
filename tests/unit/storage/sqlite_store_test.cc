// The SQLite store's blocks, through the RecordStore interface, on a real file.
#include <sqlite3.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <limits>
#include <random>

#include "core/request_id.h"
#include "storage/format1_block.h"
#include "storage/record_columns.h"
#include "storage/record_store.h"

using namespace switchyard;

namespace {

constexpr int64_t kT0 = 1795500000000;  // 2026-11-24, UTC

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("sy-store-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(dir_);
    url_ = "sqlite:" + (dir_ / "records.db").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path dir_;
  std::string url_;
};

UsageRecord record(int64_t created_ms, std::string model, std::string team = "acme", uint64_t random = 0) {
  UsageRecord r;
  r.id = "gen_" +
         format_ulid(static_cast<uint64_t>(created_ms), 0, random ? random : static_cast<uint64_t>(created_ms) * 7919);
  r.created_ms = created_ms;
  r.team = std::move(team);
  r.model = std::move(model);
  r.provider = "lab";
  r.input_tokens = 10;
  r.output_tokens = 5;
  r.cost = 0.25;
  r.status = 200;
  r.tags = {"t1"};
  return r;
}

// Appends as the recorder does: records just made, in batches.
void append(RecordStore& store, const std::vector<UsageRecord>& records) {
  EncodedRecords encoded;
  for (const auto& r : records) encoded.add(r);
  store.append(encoded);
}

std::vector<std::string> ids_of(const std::vector<UsageRecord>& records) {
  std::vector<std::string> ids;
  for (const auto& r : records) ids.push_back(r.id);
  return ids;
}

std::vector<std::string> ids_of(const std::vector<PolicyRow>& rows) {
  std::vector<std::string> ids;
  for (const auto& row : rows) ids.push_back(row.id);
  return ids;
}

std::vector<UsageRecord> every_record(RecordStore& store, std::size_t page_size) {
  std::vector<UsageRecord> out;
  scan_pages(store, ScanQuery{0, kT0 * 2, page_size}, [&](std::vector<UsageRecord>& page) {
    for (auto& r : page) out.push_back(std::move(r));
    return true;
  });
  return out;
}

}  // namespace

TEST_F(SqliteStoreTest, FindsARecordByItsIdAmongManyBlocks) {
  auto store = open_store(url_);
  std::vector<UsageRecord> records;
  for (int i = 0; i < 2500; ++i) records.push_back(record(kT0 + i * 10, "m"));
  for (std::size_t at = 0; at < records.size(); at += 1000)
    append(*store, std::vector<UsageRecord>(records.begin() + at,
                                            records.begin() + std::min<std::size_t>(at + 1000, records.size())));
  auto found = store->find(records[1234].id);
  ASSERT_TRUE(found);
  EXPECT_EQ(record_json_line(*found), record_json_line(records[1234]));
  EXPECT_FALSE(store->find("gen_" + format_ulid(kT0 + 5, 1, 1)));
  // An id that is not a generation id (imported from elsewhere) is stored and scanned, but not
  // looked up: that would read every block.
  UsageRecord imported = record(kT0 + 99, "m");
  imported.id = "chatcmpl-from-another-gateway";
  store->write(std::vector<UsageRecord>{imported});
  EXPECT_FALSE(store->find(imported.id));
  EXPECT_EQ(store->scan(ScanQuery{kT0 + 99, kT0 + 100, 10}).at(0).id, imported.id);
}

TEST_F(SqliteStoreTest, PagesGiveEveryRecordOnceInTimeOrderThoughBlocksOverlap) {
  auto store = open_store(url_);
  // Long requests are recorded when they end: blocks hold records of overlapping times, and
  // several records share a millisecond.
  std::vector<UsageRecord> expected;
  std::mt19937 rng(7);
  for (int batch = 0; batch < 40; ++batch) {
    std::vector<UsageRecord> records;
    for (int i = 0; i < 25; ++i) {
      int64_t at = kT0 + batch * 100 - static_cast<int64_t>(rng() % 3000) + (i % 5);
      records.push_back(record(at, "m", "acme", static_cast<uint64_t>(batch * 100 + i + 1)));
    }
    append(*store, records);
    expected.insert(expected.end(), records.begin(), records.end());
  }
  std::sort(expected.begin(), expected.end(),
            [](const auto& a, const auto& b) { return std::tie(a.created_ms, a.id) < std::tie(b.created_ms, b.id); });
  for (std::size_t page : {7u, 64u, 5000u}) {
    auto got = every_record(*store, page);
    EXPECT_EQ(ids_of(got), ids_of(expected)) << "pages of " << page;
  }
  // A window takes only its records.
  auto window = store->scan(ScanQuery{kT0, kT0 + 1000, 100000});
  EXPECT_EQ(static_cast<long>(window.size()), std::count_if(expected.begin(), expected.end(), [](const auto& r) {
              return r.created_ms >= kT0 && r.created_ms < kT0 + 1000;
            }));
}

TEST_F(SqliteStoreTest, ReplayedRecordsAreStoredOnce) {
  auto store = open_store(url_);
  std::vector<UsageRecord> records;
  for (int i = 0; i < 10; ++i) records.push_back(record(kT0 + i, "m"));
  append(*store, records);
  records.push_back(record(kT0 + 50, "m"));
  store->write(records);  // a journal replayed after its first 10 were stored: only the 11th is new
  store->write(records);
  auto rows = store->report(ReportQuery{kT0, kT0 + 1000, "model"});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].request_count, 11);
}

TEST_F(SqliteStoreTest, ReportsSumByEachGroupLikeTheSqlOfPostgres) {
  auto store = open_store(url_);
  std::vector<UsageRecord> records = {record(kT0, "a"), record(kT0 + 1, "a", "globex"), record(kT0 + 86'400'000, "b")};
  records[1].tags = {"t1", "t2"};
  records[2].cost.reset();  // unpriced: counted, costs nothing
  records[2].tags.clear();
  append(*store, records);
  auto by_model = store->report(ReportQuery{kT0, kT0 + 2 * 86'400'000, "model"});
  ASSERT_EQ(by_model.size(), 2u);
  EXPECT_EQ(by_model[0].key, "a");
  EXPECT_EQ(by_model[0].request_count, 2);
  EXPECT_DOUBLE_EQ(by_model[0].total_cost, 0.5);
  EXPECT_EQ(by_model[0].input_tokens, 20);
  EXPECT_EQ(by_model[1].key, "b");
  EXPECT_DOUBLE_EQ(by_model[1].total_cost, 0);
  auto by_day = store->report(ReportQuery{kT0, kT0 + 2 * 86'400'000, "day"});
  ASSERT_EQ(by_day.size(), 2u);
  EXPECT_EQ(by_day[0].key, "2026-11-24");
  EXPECT_EQ(by_day[1].key, "2026-11-25");
  auto by_tag = store->report(ReportQuery{kT0, kT0 + 2 * 86'400'000, "tag"});  // one row per tag; untagged in none
  ASSERT_EQ(by_tag.size(), 2u);
  EXPECT_EQ(by_tag[0].key, "t1");
  EXPECT_EQ(by_tag[0].request_count, 2);
  EXPECT_EQ(by_tag[1].request_count, 1);
  auto team = store->report(ReportQuery{kT0, kT0 + 2 * 86'400'000, "model", "globex"});
  ASSERT_EQ(team.size(), 1u);
  EXPECT_EQ(team[0].request_count, 1);
  EXPECT_THROW(store->report(ReportQuery{kT0, kT0 + 1, "colour"}), StoreError);
}

TEST_F(SqliteStoreTest, SmallBatchesShareABlockAndSurviveReopening) {
  std::vector<UsageRecord> records;
  {
    auto store = open_store(url_);
    for (int i = 0; i < 30; ++i) {
      records.push_back(record(kT0 + i, "m"));
      append(*store, {records.back()});  // a quiet gateway: one record per flush
    }
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "records.db").c_str(), &db), SQLITE_OK);
  sqlite3_stmt* count = nullptr;
  sqlite3_prepare_v2(db, "SELECT COUNT(*), SUM(records_count) FROM record_blocks", -1, &count, nullptr);
  ASSERT_EQ(sqlite3_step(count), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(count, 0), 1);  // one block, rewritten as it grew
  EXPECT_EQ(sqlite3_column_int(count, 1), 30);
  sqlite3_finalize(count);
  sqlite3_close(db);
  auto reopened = open_store(url_);
  append(*reopened, {record(kT0 + 100, "m")});
  records.push_back(record(kT0 + 100, "m"));
  EXPECT_EQ(ids_of(every_record(*reopened, 1000)), ids_of(records));
}

TEST_F(SqliteStoreTest, AFileOfOneRowPerRecordIsMovedIntoBlocks) {
  // A store made by an earlier switchyard (schema version 3: the table `requests`).
  std::vector<UsageRecord> records;
  for (int i = 0; i < 1500; ++i) records.push_back(record(kT0 + i, i % 2 ? "a" : "b"));
  records[3].attempts = {{"p", "up", "m", false, 503, "busy", kT0, kT0 + 3}};
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_ / "records.db").c_str(), &db), SQLITE_OK);
    auto run = [&](const std::string& sql) {
      ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sql;
    };
    run("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY)");
    for (const auto& step : record_columns::migrations("REAL", "INTEGER")) run(step);
    run("INSERT INTO schema_migrations VALUES (1), (2), (3)");
    // The table of those versions has the first columns only.
    std::string placeholders;
    for (std::size_t i = 1; i <= record_columns::kFirstColumns; ++i)
      placeholders += (i > 1 ? ",?" : "?") + std::to_string(i);
    sqlite3_stmt* insert = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db,
                                 ("INSERT INTO requests (" + record_columns::name_list(record_columns::kFirstColumns) +
                                  ") VALUES (" + placeholders + ")")
                                     .c_str(),
                                 -1, &insert, nullptr),
              SQLITE_OK);
    for (const auto& r : records) {
      auto values = record_columns::values_of(r);
      sqlite3_reset(insert);
      for (std::size_t i = 0; i < record_columns::kFirstColumns; ++i)
        values[i] ? sqlite3_bind_text(insert, static_cast<int>(i + 1), values[i]->c_str(), -1, SQLITE_TRANSIENT)
                  : sqlite3_bind_null(insert, static_cast<int>(i + 1));
      ASSERT_EQ(sqlite3_step(insert), SQLITE_DONE);
    }
    sqlite3_finalize(insert);
    sqlite3_close(db);
  }
  auto store = open_store(url_);
  auto got = every_record(*store, 400);
  ASSERT_EQ(got.size(), records.size());
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_EQ(record_json_line(got[i]), record_json_line(records[i]));
  EXPECT_TRUE(store->find(records[3].id));
}

TEST_F(SqliteStoreTest, BlocksWrittenBeforeTheResponseCacheAreReadBesideNewOnes) {
  // A file as an earlier switchyard left it: one block of record format 1.
  const std::vector<UsageRecord> old = switchyard::testing::format1_records();
  {
    auto store = open_store(url_);
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_ / "records.db").c_str(), &db), SQLITE_OK);
    sqlite3_stmt* insert = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(
                  db, "INSERT INTO record_blocks (first_ms, last_ms, records_count, records) VALUES (?1, ?2, 2, ?3)",
                  -1, &insert, nullptr),
              SQLITE_OK);
    const std::string block = switchyard::testing::format1_block();
    sqlite3_bind_int64(insert, 1, old.front().created_ms);
    sqlite3_bind_int64(insert, 2, old.back().created_ms);
    sqlite3_bind_blob(insert, 3, block.data(), static_cast<int>(block.size()), SQLITE_STATIC);
    ASSERT_EQ(sqlite3_step(insert), SQLITE_DONE);
    sqlite3_finalize(insert);
    sqlite3_close(db);
  }
  auto store = open_store(url_);
  UsageRecord hit = record(old.back().created_ms + 1, "m");
  hit.cache_hit = true;
  hit.cost = 0;
  hit.saved_cost = 0.25;
  append(*store, {hit});
  std::vector<std::string> got, want;
  for (const auto& r : every_record(*store, 10)) got.push_back(record_json_line(r));
  for (const auto& r : {old[0], old[1], hit}) want.push_back(record_json_line(r));
  EXPECT_EQ(got, want);
  auto found = store->find(old[1].id);
  ASSERT_TRUE(found);
  EXPECT_FALSE(found->cache_hit);
  EXPECT_FALSE(found->attempts.at(1).continued_at);
  LogQuery hits;
  hits.cache_hit = true;
  EXPECT_EQ(ids_of(store->recent(hits).records), std::vector<std::string>{hit.id});
  hits.cache_hit = false;
  EXPECT_EQ(ids_of(store->recent(hits).records), (std::vector<std::string>{old[1].id, old[0].id}));
}

TEST_F(SqliteStoreTest, ARequestThatReachedNoModelIsReportedUnderTheModelItAskedFor) {
  auto store = open_store(url_);
  UsageRecord refused = record(kT0, "");
  refused.model_requested = "team/unknown";
  refused.status = 404;
  append(*store, {record(kT0 + 1, "a"), refused});
  auto by_model = store->report(ReportQuery{kT0, kT0 + 86'400'000, "model"});
  ASSERT_EQ(by_model.size(), 2u);
  EXPECT_EQ(by_model[0].key, "a");
  EXPECT_EQ(by_model[1].key, "team/unknown");
}

TEST_F(SqliteStoreTest, AReportFilteredByKeyCountsOnlyThatKeysRecords) {
  auto store = open_store(url_);
  std::vector<UsageRecord> records = {record(kT0, "a"), record(kT0 + 1, "a"), record(kT0 + 2, "b"),
                                      record(kT0 + 3, "a")};
  records[0].key_id = records[2].key_id = "key_one";
  records[1].key_id = "key_two";  // records[3] was made without a key
  append(*store, records);
  ReportQuery query{kT0, kT0 + 1000, "model"};
  query.key_id = "key_one";
  auto rows = store->report(query);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].key, "a");
  EXPECT_EQ(rows[0].request_count, 1);
  EXPECT_EQ(rows[1].key, "b");
  EXPECT_EQ(rows[1].request_count, 1);
  query.key_id = "key_none";
  EXPECT_TRUE(store->report(query).empty());
}

TEST_F(SqliteStoreTest, KeysAreReplacedByIdAndListedOldestChangeFirst) {
  {
    auto store = open_store(url_);
    store->put_key({"key_c", "acme", kT0 + 100, R"({"v":1})"});
    store->put_key({"key_b", "acme", kT0 + 50, R"({"v":1})"});
    store->put_key({"key_a", "acme", kT0 + 100, R"({"v":1})"});
    store->put_key({"key_c", "globex", kT0 + 200, R"({"v":2})"});  // moved to another team
    auto all = store->keys_changed_since(0, 100);
    EXPECT_EQ(ids_of(all), (std::vector<std::string>{"key_b", "key_a", "key_c"}));  // same ms: by id
    EXPECT_EQ(all[2].team, "globex");
    EXPECT_EQ(all[2].updated_ms, kT0 + 200);
    EXPECT_EQ(all[2].body, R"({"v":2})");
    EXPECT_EQ(ids_of(store->keys_changed_since(kT0 + 100, 100)), (std::vector<std::string>{"key_a", "key_c"}));
    EXPECT_EQ(ids_of(store->keys_changed_since(0, 2)), (std::vector<std::string>{"key_b", "key_a"}));
    EXPECT_EQ(store->keys_changed_since(0, std::numeric_limits<std::size_t>::max()).size(), 3u);
    EXPECT_TRUE(store->keys_changed_since(kT0 + 201, 100).empty());
  }
  auto reopened = open_store(url_);
  auto all = reopened->keys_changed_since(0, 100);
  EXPECT_EQ(ids_of(all), (std::vector<std::string>{"key_b", "key_a", "key_c"}));
  EXPECT_EQ(all[0].team, "acme");
  EXPECT_EQ(all[0].body, R"({"v":1})");
  EXPECT_TRUE(reopened->teams_changed_since(0, 100).empty());  // keys and teams are apart
}

TEST_F(SqliteStoreTest, TeamsAreReplacedByNameAndListedOldestChangeFirst) {
  {
    auto store = open_store(url_);
    store->put_team({"acme", "acme", kT0 + 10, R"({"budget":1})"});
    store->put_team({"globex", "globex", kT0 + 5, R"({"budget":1})"});
    store->put_team({"acme", "acme", kT0 + 20, R"({"budget":2})"});
    auto all = store->teams_changed_since(0, 100);
    EXPECT_EQ(ids_of(all), (std::vector<std::string>{"globex", "acme"}));
    EXPECT_EQ(all[1].team, "acme");  // a team is its own team
    EXPECT_EQ(all[1].updated_ms, kT0 + 20);
    EXPECT_EQ(all[1].body, R"({"budget":2})");
    EXPECT_EQ(ids_of(store->teams_changed_since(kT0 + 6, 100)), (std::vector<std::string>{"acme"}));
    EXPECT_EQ(ids_of(store->teams_changed_since(0, 1)), (std::vector<std::string>{"globex"}));
    EXPECT_TRUE(store->keys_changed_since(0, 100).empty());
  }
  auto reopened = open_store(url_);
  EXPECT_EQ(ids_of(reopened->teams_changed_since(0, 100)), (std::vector<std::string>{"globex", "acme"}));
}

TEST_F(SqliteStoreTest, AFileOfSchemaFourGainsTheTablesOfKeysAndTeamsAndTheIndexOfLastTimes) {
  {
    auto store = open_store(url_);
    append(*store, {record(kT0, "m")});
  }
  {
    // As an earlier switchyard left it: blocks (version 4), no keys or teams, no index by last_ms.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_ / "records.db").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "DROP TABLE gateway_keys; DROP TABLE gateway_teams; DROP INDEX record_blocks_last; "
                           "DELETE FROM schema_migrations WHERE version > 4",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  auto store = open_store(url_);
  store->put_key({"key_a", "acme", kT0, "{}"});
  store->put_team({"acme", "acme", kT0, "{}"});
  EXPECT_EQ(store->keys_changed_since(0, 10).size(), 1u);
  EXPECT_EQ(store->teams_changed_since(0, 10).size(), 1u);
  EXPECT_EQ(store->scan(ScanQuery{0, kT0 * 2, 10}).size(), 1u);
  EXPECT_EQ(store->recent(LogQuery{}).records.size(), 1u);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "records.db").c_str(), &db), SQLITE_OK);
  sqlite3_stmt* versions = nullptr;
  sqlite3_prepare_v2(db, "SELECT group_concat(version) FROM (SELECT version FROM schema_migrations ORDER BY version)",
                     -1, &versions, nullptr);
  ASSERT_EQ(sqlite3_step(versions), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(versions, 0)), "4,5,6");
  sqlite3_finalize(versions);
  sqlite3_close(db);
}
