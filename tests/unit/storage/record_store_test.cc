// The request log's query (RecordStore::recent) against every store: SQLite on a file, PostgreSQL
// on a throwaway cluster of the suite's own (skipped where its binaries are not installed), and
// the in-memory double. The same cases run on each, against the answer worked out here.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <thread>
#include <tuple>

#include "core/request_id.h"
#include "storage/memory_store.h"
#include "storage/record_columns.h"
#include "storage/record_store.h"

using namespace switchyard;

namespace {

constexpr int64_t kT0 = 1795500000000;  // 2026-11-24, UTC
constexpr int64_t kMinute = 60'000;

// A PostgreSQL server for the suite: initdb into a temporary directory, then the server on a free
// loopback port, as the postgres user when the tests run as root (the server refuses root). The
// server dies with the test process (PR_SET_PDEATHSIG) even when it crashes.
class PostgresServer {
 public:
  ~PostgresServer() { stop(); }

  // Where initdb and postgres are; empty when PostgreSQL is not installed.
  static std::filesystem::path bin_dir() {
    std::filesystem::path found;
    std::error_code error;
    for (const auto& version : std::filesystem::directory_iterator("/usr/lib/postgresql", error))
      if (std::filesystem::exists(version.path() / "bin" / "initdb")) found = std::max(found, version.path() / "bin");
    return found;
  }

  // Starts it once; later calls say whether that worked.
  ::testing::AssertionResult start() {
    if (pid_ > 0) return ::testing::AssertionSuccess();
    if (!failure_.empty()) return ::testing::AssertionFailure() << failure_;
    char dir[] = "/tmp/sy-pg-XXXXXX";
    if (!mkdtemp(dir)) return fail("mkdtemp failed");
    dir_ = dir;
    if (const passwd* user = getuid() == 0 ? getpwnam("postgres") : nullptr) {
      if (chown(dir, user->pw_uid, user->pw_gid) != 0) return fail("cannot give the directory to postgres");
    }
    const std::string data = (dir_ / "data").string(), bin = bin_dir().string();
    int status = 0;
    waitpid(spawn({bin + "/initdb", "--no-sync", "-D", data, "-A", "trust", "-U", "postgres"}), &status, 0);
    if (status != 0) return fail("initdb failed");
    port_ = free_port();
    if (port_ == 0) return fail("no free port");
    pid_ = spawn({bin + "/postgres", "-D", data, "-p", std::to_string(port_), "-k", dir_.string(), "-c",
                  "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off"});
    const std::string conninfo = "host=127.0.0.1 port=" + std::to_string(port_) + " user=postgres dbname=postgres";
    for (auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
         std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(std::chrono::milliseconds(20))) {
      if (PQping(conninfo.c_str()) == PQPING_OK) return ::testing::AssertionSuccess();
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = 0;
        return fail("postgres exited at start");
      }
    }
    return fail("postgres did not answer within 20 s");
  }

  // The URL of a new, empty database.
  std::string new_database() {
    const std::string name = "t" + std::to_string(++databases_);
    PGconn* conn = PQconnectdb(url("postgres").c_str());
    PQclear(PQexec(conn, ("CREATE DATABASE " + name).c_str()));
    PQfinish(conn);
    return url(name);
  }

  void stop() {
    if (pid_ > 0) {
      kill(pid_, SIGINT);  // a fast shutdown
      waitpid(pid_, nullptr, 0);
      pid_ = 0;
    }
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
    dir_.clear();
  }

 private:
  std::string url(const std::string& database) const {
    return "postgres://postgres@127.0.0.1:" + std::to_string(port_) + "/" + database;
  }

  ::testing::AssertionResult fail(std::string why) {
    failure_ = std::move(why);
    stop();
    return ::testing::AssertionFailure() << failure_;
  }

  static int free_port() {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    if (bind(fd, reinterpret_cast<sockaddr*>(&address), size) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0)
      address.sin_port = 0;
    close(fd);
    return ntohs(address.sin_port);
  }

  // Runs `argv` as the postgres user (when root), its output to the log in dir_; the child's pid.
  // The child only makes calls that are safe after a fork.
  pid_t spawn(const std::vector<std::string>& argv) const {
    const passwd* user = getuid() == 0 ? getpwnam("postgres") : nullptr;
    const std::string log = (dir_ / "log").string();
    std::vector<char*> args;
    args.reserve(argv.size() + 1);
    for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    pid_t pid = fork();
    if (pid != 0) return pid;
    if (user && (setgid(user->pw_gid) != 0 || setuid(user->pw_uid) != 0)) _exit(126);
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // after setuid, which clears it
    int out = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    dup2(out, STDOUT_FILENO);
    dup2(out, STDERR_FILENO);
    execv(args[0], args.data());
    _exit(127);
  }

  std::filesystem::path dir_;
  int port_ = 0;
  pid_t pid_ = 0;
  int databases_ = 0;
  std::string failure_;
};

PostgresServer& postgres() {
  static PostgresServer server;
  return server;
}

UsageRecord make_record(int64_t created_ms, uint64_t random) {
  UsageRecord r;
  r.id = "gen_" + format_ulid(static_cast<uint64_t>(created_ms), 0, random);
  r.created_ms = created_ms;
  r.team = "acme";
  r.model_requested = r.model = "m1";
  r.provider = "lab";
  r.status = 200;
  r.latency_ms = 100;
  r.cost = 0.01;
  r.attempts = {{"lab", "up-1", "m1", true, 200, "", created_ms, created_ms + 100}};
  return r;
}

// Traffic of under an hour with a bit of everything: the recorder's batches span up to ten
// minutes and overlap (long requests are recorded when they end); times fall on every tenth
// second, so many records, in one batch or in different ones, share a millisecond.
std::vector<std::vector<UsageRecord>> traffic(int batches = 40, int per_batch = 30) {
  std::mt19937 rng(11);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  std::vector<std::vector<UsageRecord>> out;
  for (int b = 0; b < batches; ++b) {
    auto& batch = out.emplace_back();
    for (int i = 0; i < per_batch; ++i) {
      int64_t at = kT0 + b * kMinute + (pick(60) - 30) * int64_t{10'000};  // within 5 minutes either side
      UsageRecord r = make_record(at, (uint64_t{rng()} << 32) | rng());    // ids of a millisecond in any order
      r.team = pick(3) ? "acme" : "globex";
      r.user = std::vector<std::string>{"ann", "bob", ""}[pick(3)];
      r.key_id = pick(2) ? "key_a" : "key_b";
      r.provider = pick(4) ? "lab" : "other";
      r.use_case = pick(2) ? "chat" : "";
      if (pick(3) == 0) r.tags = {"beta"};
      if (pick(4) == 0) r.tags.push_back("checkout");
      r.streamed = pick(2) == 0;
      r.latency_ms = 50 + pick(3000);
      if (pick(5) == 0)
        r.cost.reset();  // unpriced
      else
        r.cost = 0.001 * (1 + pick(100));
      switch (pick(12)) {
        case 0:  // refused before any upstream: an unknown model
          r.status = 404;
          r.model.clear();
          r.model_requested = "nowhere/x";
          r.attempts.clear();
          break;
        case 1:  // refused by a limit
          r.status = 429;
          r.attempts.clear();
          break;
        case 2:  // every upstream failed
          r.status = 502;
          r.attempts[0].success = false;
          r.attempts[0].status = 503;
          break;
        case 3:  // the client left
          r.status = 499;
          break;
        case 4:  // served from the response cache: no upstream, nothing spent
          r.cache_hit = true;
          r.attempts.clear();
          r.provider.clear();
          r.model.clear();
          r.cost = 0;
          if (pick(3)) r.saved_cost = 0.001 * (1 + pick(100));  // else the kept answer was unpriced
          break;
        default:
          r.model = r.model_requested = pick(3) ? "m1" : "m2";
          if (r.streamed && pick(4) == 0) {  // a stream cut on one upstream, continued on the next
            r.attempts.insert(r.attempts.begin(), {"other", "up-2", r.model, false, 200, "cut", at, at + 40});
            r.attempts.back().continued_at = pick(4000);
          }
      }
      batch.push_back(std::move(r));
    }
  }
  out[7][3].user = "rare";  // the needle of the budget's tests
  out[25][10].user = "rare";
  out[38][0].user = "rare";
  return out;
}

bool newest_first(const UsageRecord& a, const UsageRecord& b) {
  return std::tie(b.created_ms, b.id) < std::tie(a.created_ms, a.id);
}

std::vector<std::string> ids_of(const std::vector<UsageRecord>& records) {
  std::vector<std::string> ids;
  ids.reserve(records.size());
  for (const auto& r : records) ids.push_back(r.id);
  return ids;
}

class LogQueryTest : public ::testing::TestWithParam<std::string> {
 protected:
  static void TearDownTestSuite() { postgres().stop(); }

  void SetUp() override {
    if (GetParam() == "sqlite") {
      dir_ = std::filesystem::temp_directory_path() / ("sy-log-" + std::to_string(std::random_device{}()));
      std::filesystem::create_directories(dir_);
      store_ = open_store("sqlite:" + (dir_ / "records.db").string());
    } else if (GetParam() == "postgres") {
      if (PostgresServer::bin_dir().empty()) GTEST_SKIP() << "PostgreSQL's binaries are not installed";
      ASSERT_TRUE(postgres().start());
      store_ = open_store(postgres().new_database());
    } else {
      store_ =
          std::make_unique<switchyard::testing::MemoryStore>(std::make_shared<switchyard::testing::MemoryStoreState>());
    }
  }
  void TearDown() override {
    store_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // Stores the batches as the recorder does (the last one through write(), as a replay would),
  // and keeps every record, newest first, in all_.
  void store(const std::vector<std::vector<UsageRecord>>& batches) {
    for (std::size_t b = 0; b < batches.size(); ++b) {
      if (b + 1 == batches.size()) {
        store_->write(batches[b]);
      } else {
        EncodedRecords encoded;
        for (const auto& r : batches[b]) encoded.add(r);
        store_->append(encoded);
      }
      all_.insert(all_.end(), batches[b].begin(), batches[b].end());
    }
    std::sort(all_.begin(), all_.end(), newest_first);
  }

  // The records `query` should list, worked out here from all_.
  std::vector<std::string> expected(const std::function<bool(const UsageRecord&)>& wanted) const {
    std::vector<std::string> ids;
    for (const auto& r : all_)
      if (wanted(r)) ids.push_back(r.id);
    return ids;
  }

  // Every page of `query`, from its cursor on, until `next` is empty: each cursor older than the
  // last, a full page's at its last record. `early_pages` counts the pages a budget ended.
  std::vector<std::string> every_page(LogQuery query, int* early_pages = nullptr) {
    std::vector<std::string> ids;
    for (int pages = 0; pages < 100000; ++pages) {
      LogPage page = store_->recent(query);
      EXPECT_LE(page.records.size(), query.limit);
      for (const auto& r : page.records) ids.push_back(r.id);
      if (!page.next) return ids;
      if (page.records.size() < query.limit && early_pages) ++*early_pages;
      if (query.before) {
        EXPECT_LT(*page.next, *query.before);
      }
      if (page.records.size() == query.limit) {
        EXPECT_EQ(page.next->first, page.records.back().created_ms);
        EXPECT_EQ(page.next->second, page.records.back().id);
      }
      query.before = page.next;
    }
    ADD_FAILURE() << "the pages never end";
    return ids;
  }

  std::filesystem::path dir_;
  std::unique_ptr<RecordStore> store_;
  std::vector<UsageRecord> all_;
};

TEST_P(LogQueryTest, ListsNewestFirstAcrossOverlappingBatches) {
  store(traffic());
  LogQuery query;
  query.limit = 5000;
  LogPage page = store_->recent(query);
  EXPECT_EQ(ids_of(page.records), expected([](const auto&) { return true; }));
  EXPECT_FALSE(page.next);
  // Records come back whole.
  for (std::size_t i = 0; i < all_.size(); i += 97)
    EXPECT_EQ(record_json_line(page.records.at(i)), record_json_line(all_[i]));
  query.limit = 50;
  page = store_->recent(query);
  ASSERT_EQ(page.records.size(), 50u);
  const auto every_id = ids_of(all_);
  EXPECT_EQ(ids_of(page.records), std::vector<std::string>(every_id.begin(), every_id.begin() + 50));
  ASSERT_TRUE(page.next);
  EXPECT_EQ(*page.next, (std::pair{all_[49].created_ms, all_[49].id}));
}

TEST_P(LogQueryTest, PagesThroughEveryRecordExactlyOnce) {
  store(traffic());
  for (std::size_t limit : {1u, 7u, 50u}) {
    LogQuery query;
    query.limit = limit;
    EXPECT_EQ(every_page(query), expected([](const auto&) { return true; })) << "pages of " << limit;
  }
  LogQuery query;
  query.limit = 5;
  query.team = "globex";
  EXPECT_EQ(every_page(query), expected([](const auto& r) { return r.team == "globex"; }));
}

TEST_P(LogQueryTest, EachFilterSelectsOnlyItsRecords) {
  store(traffic());
  struct Case {
    const char* name;
    std::function<void(LogQuery&)> set;
    std::function<bool(const UsageRecord&)> wanted;
  };
  const std::vector<Case> cases = {
      {"team", [](auto& q) { q.team = "globex"; }, [](const auto& r) { return r.team == "globex"; }},
      {"key_id", [](auto& q) { q.key_id = "key_b"; }, [](const auto& r) { return r.key_id == "key_b"; }},
      {"user", [](auto& q) { q.user = "bob"; }, [](const auto& r) { return r.user == "bob"; }},
      {"provider", [](auto& q) { q.provider = "other"; }, [](const auto& r) { return r.provider == "other"; }},
      {"tag", [](auto& q) { q.tag = "checkout"; },
       [](const auto& r) { return std::count(r.tags.begin(), r.tags.end(), "checkout") == 1; }},
      {"use_case", [](auto& q) { q.use_case = "chat"; }, [](const auto& r) { return r.use_case == "chat"; }},
      {"model served", [](auto& q) { q.model = "m2"; }, [](const auto& r) { return r.model == "m2"; }},
      {"model asked for, none served", [](auto& q) { q.model = "nowhere/x"; },
       [](const auto& r) { return r.status == 404; }},
      {"outcome", [](auto& q) { q.outcome = Outcome::rejected; },
       [](const auto& r) { return r.status == 404 || r.status == 429; }},
      {"status", [](auto& q) { q.status = 502; }, [](const auto& r) { return r.status == 502; }},
      {"streamed", [](auto& q) { q.streamed = true; }, [](const auto& r) { return r.streamed; }},
      {"not streamed", [](auto& q) { q.streamed = false; }, [](const auto& r) { return !r.streamed; }},
      {"min_latency_ms", [](auto& q) { q.min_latency_ms = 2000; }, [](const auto& r) { return r.latency_ms >= 2000; }},
      {"min_cost", [](auto& q) { q.min_cost = 0.05; }, [](const auto& r) { return r.cost && *r.cost >= 0.05; }},
      {"min_cost 0 leaves out the unpriced", [](auto& q) { q.min_cost = 0; },
       [](const auto& r) { return r.cost.has_value(); }},
      {"cache hit", [](auto& q) { q.cache_hit = true; }, [](const auto& r) { return r.cache_hit; }},
      {"cache misses of a user (all misses are more than a page)",
       [](auto& q) {
         q.cache_hit = false;
         q.user = "bob";
       },
       [](const auto& r) { return !r.cache_hit && r.user == "bob"; }},
      {"cache hits of a team",
       [](auto& q) {
         q.cache_hit = true;
         q.team = "globex";
       },
       [](const auto& r) { return r.cache_hit && r.team == "globex"; }},
      {"several at once",
       [](auto& q) {
         q.team = "acme";
         q.tag = "beta";
         q.outcome = Outcome::ok;
       },
       [](const auto& r) {
         return r.team == "acme" && std::count(r.tags.begin(), r.tags.end(), "beta") && r.status == 200;
       }},
      {"nothing matches", [](auto& q) { q.user = "nobody"; }, [](const auto&) { return false; }},
  };
  for (const auto& c : cases) {
    LogQuery query;
    query.limit = 1000;
    c.set(query);
    auto wanted = expected(c.wanted);
    EXPECT_LT(wanted.size(), all_.size()) << c.name;
    EXPECT_EQ(ids_of(store_->recent(query).records), wanted) << c.name;
    for (const auto& r : all_)
      EXPECT_EQ(passes_log_filters(query, r) && (!query.team || r.team == *query.team), c.wanted(r))
          << c.name << " " << r.id;
  }
}

TEST_P(LogQueryTest, CacheHitsAndContinuedStreamsComeBackWhole) {
  store(traffic());
  LogQuery query;
  query.limit = 5000;
  std::map<std::string, std::string> listed;
  for (const auto& r : store_->recent(query).records) listed[r.id] = record_json_line(r);
  int hits = 0, unpriced_hits = 0, continued = 0;
  for (const auto& r : all_) {
    EXPECT_EQ(listed[r.id], record_json_line(r));
    if (r.cache_hit) {
      ++hits;
      unpriced_hits += !r.saved_cost;
      auto found = store_->find(r.id);
      ASSERT_TRUE(found) << r.id;
      EXPECT_TRUE(found->cache_hit);
      EXPECT_EQ(found->saved_cost, r.saved_cost);
    }
    if (r.attempts.size() > 1 && r.attempts.back().continued_at) {
      ++continued;
      auto found = store_->find(r.id);
      ASSERT_TRUE(found) << r.id;
      EXPECT_EQ(found->attempts.front().continued_at, std::nullopt);
      EXPECT_EQ(found->attempts.back().continued_at, r.attempts.back().continued_at);
    }
  }
  EXPECT_GT(hits, unpriced_hits);
  EXPECT_GT(unpriced_hits, 0);
  EXPECT_GT(continued, 0);
}

// A database of a gateway from before the response cache: its records table has none of the
// cache's columns. The store adds them, keeps the rows it had (as misses), and stores hits.
TEST(PostgresStore, ADatabaseFromBeforeTheResponseCacheGainsItsColumns) {
  if (PostgresServer::bin_dir().empty()) GTEST_SKIP() << "PostgreSQL's binaries are not installed";
  ASSERT_TRUE(postgres().start());
  const std::string url = postgres().new_database();
  const UsageRecord old = make_record(kT0, 1);
  {
    PGconn* conn = PQconnectdb(url.c_str());
    ASSERT_EQ(PQstatus(conn), CONNECTION_OK);
    auto run = [&](const std::string& sql, const std::vector<std::optional<std::string>>& params = {}) {
      std::vector<const char*> values;
      for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
      PGresult* result =
          PQexecParams(conn, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr, nullptr, 0);
      EXPECT_EQ(PQresultStatus(result), PGRES_COMMAND_OK) << sql << ": " << PQerrorMessage(conn);
      PQclear(result);
    };
    run("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY)");
    for (const auto& step : record_columns::migrations("DOUBLE PRECISION", "BIGINT")) run(step);
    run("INSERT INTO schema_migrations VALUES (1), (2), (3)");
    const auto values = record_columns::values_of(old);
    std::string placeholders;
    for (std::size_t i = 1; i <= record_columns::kFirstColumns; ++i)
      placeholders += (i > 1 ? ",$" : "$") + std::to_string(i);
    run("INSERT INTO requests (" + record_columns::name_list(record_columns::kFirstColumns) + ") VALUES (" +
            placeholders + ")",
        std::vector<std::optional<std::string>>(values.begin(), values.begin() + record_columns::kFirstColumns));
    PQfinish(conn);
  }
  auto store = open_store(url);
  auto found = store->find(old.id);
  ASSERT_TRUE(found);
  EXPECT_EQ(record_json_line(*found), record_json_line(old));
  EXPECT_FALSE(found->cache_hit);
  EXPECT_FALSE(found->saved_cost);

  UsageRecord hit = make_record(kT0 + 1, 2);
  hit.cache_hit = true;
  hit.attempts.clear();
  hit.cost = 0;
  hit.saved_cost = 0.0125;
  UsageRecord continued = make_record(kT0 + 2, 3);
  continued.attempts.push_back({"lab", "up-1", "m1", true, 200, "", kT0 + 101, kT0 + 300});
  continued.attempts.back().continued_at = 77;
  store->write(std::vector<UsageRecord>{hit, continued});
  LogQuery query;
  query.cache_hit = true;
  LogPage page = store->recent(query);
  ASSERT_EQ(page.records.size(), 1u);
  EXPECT_EQ(record_json_line(page.records[0]), record_json_line(hit));
  query.cache_hit = false;
  EXPECT_EQ(ids_of(store->recent(query).records), (std::vector<std::string>{continued.id, old.id}));
  // Opened again (the migration done), it reads the same.
  auto reopened = open_store(url);
  EXPECT_EQ(record_json_line(*reopened->find(continued.id)), record_json_line(continued));
  EXPECT_EQ(reopened->scan(ScanQuery{kT0, kT0 + 10, 10}).size(), 3u);
}

TEST_P(LogQueryTest, OutcomesTellRejectedAndCancelledRequestsFromErrors) {
  std::vector<UsageRecord> records;
  auto add = [&](int status, bool attempted) {
    UsageRecord r = make_record(kT0 + static_cast<int64_t>(records.size()), records.size() + 1);
    r.status = status;
    if (!attempted) r.attempts.clear();
    records.push_back(r);
    return outcome_of(r);
  };
  EXPECT_EQ(add(200, true), Outcome::ok);
  EXPECT_EQ(add(400, false), Outcome::rejected);  // bad JSON
  EXPECT_EQ(add(429, false), Outcome::rejected);  // a limit
  EXPECT_EQ(add(429, true), Outcome::error);      // the upstream's own 429
  EXPECT_EQ(add(502, true), Outcome::error);
  EXPECT_EQ(add(499, true), Outcome::cancelled);
  EXPECT_EQ(add(499, false), Outcome::cancelled);
  EXPECT_EQ(outcome_name(Outcome::ok), "ok");
  EXPECT_EQ(outcome_name(Outcome::error), "error");
  EXPECT_EQ(outcome_name(Outcome::rejected), "rejected");
  EXPECT_EQ(outcome_name(Outcome::cancelled), "cancelled");
  store({records});
  const std::vector<std::pair<Outcome, std::vector<int>>> statuses = {{Outcome::ok, {200}},
                                                                      {Outcome::rejected, {429, 400}},
                                                                      {Outcome::error, {502, 429}},
                                                                      {Outcome::cancelled, {499, 499}}};
  for (const auto& [outcome, want] : statuses) {
    LogQuery query;
    query.outcome = outcome;
    std::vector<int> got;
    for (const auto& r : store_->recent(query).records) got.push_back(r.status);
    EXPECT_EQ(got, want) << outcome_name(outcome);
  }
}

TEST_P(LogQueryTest, AScanBudgetEndsPagesEarlyWithCursorsThatSkipAndRepeatNothing) {
  store(traffic());
  LogQuery rare;
  rare.user = "rare";
  rare.limit = 2;
  const auto wanted = expected([](const auto& r) { return r.user == "rare"; });
  ASSERT_EQ(wanted.size(), 3u);
  EXPECT_EQ(every_page(rare), wanted);  // 1,000,000 records: no early end
  for (std::size_t budget : {1u, 29u, 100u, 450u}) {
    rare.scan_budget = budget;
    int early = 0;
    EXPECT_EQ(every_page(rare, &early), wanted) << "budget " << budget;
    EXPECT_GT(early, 0) << "budget " << budget;
  }
  // Every record, a budget of a few records a page, pages larger than that.
  LogQuery all;
  all.limit = 40;
  all.scan_budget = 17;
  int early = 0;
  EXPECT_EQ(every_page(all, &early), expected([](const auto&) { return true; }));
  EXPECT_GT(early, 0);
  // The newest 100 records hold one of the three at most.
  rare.scan_budget = 100;
  LogPage first = store_->recent(rare);
  ASSERT_TRUE(first.next);
  EXPECT_LT(first.records.size(), 2u);
}

TEST_P(LogQueryTest, TheWindowTakesItsStartAndLeavesOutItsEnd) {
  store(traffic());
  const int64_t start = all_[all_.size() * 3 / 4].created_ms, end = all_[all_.size() / 4].created_ms;
  LogQuery query;
  query.start_ms = start;
  query.end_ms = end;
  query.limit = 9;
  auto wanted = expected([&](const auto& r) { return r.created_ms >= start && r.created_ms < end; });
  EXPECT_EQ(every_page(query), wanted);
  EXPECT_EQ(wanted.front(),
            std::find_if(all_.begin(), all_.end(), [&](const auto& r) { return r.created_ms < end; })->id);
  // A cursor within a millisecond: that millisecond's smaller ids, then older records.
  auto shared = std::adjacent_find(all_.begin(), all_.end(),
                                   [](const auto& a, const auto& b) { return a.created_ms == b.created_ms; });
  ASSERT_NE(shared, all_.end());
  query = LogQuery{};
  query.before = std::pair{shared->created_ms, shared->id};
  query.limit = 3;
  LogPage page = store_->recent(query);
  ASSERT_EQ(page.records.size(), 3u);
  EXPECT_EQ(page.records[0].id, std::next(shared)->id);
  EXPECT_EQ(page.records[0].created_ms, shared->created_ms);
  // An empty window, and a page of nothing.
  query = LogQuery{};
  query.start_ms = query.end_ms = start;
  EXPECT_TRUE(store_->recent(query).records.empty());
  EXPECT_FALSE(store_->recent(query).next);
  query = LogQuery{};
  query.end_ms = kT0 - kMinute * 24 * 60;
  EXPECT_TRUE(store_->recent(query).records.empty());
  EXPECT_FALSE(store_->recent(query).next);
}

TEST_P(LogQueryTest, AnEmptyStoreHasAnEmptyLog) {
  LogPage page = store_->recent(LogQuery{});
  EXPECT_TRUE(page.records.empty());
  EXPECT_FALSE(page.next);
}

INSTANTIATE_TEST_SUITE_P(Stores, LogQueryTest, ::testing::Values("sqlite", "postgres", "memory"),
                         [](const auto& info) { return info.param; });

}  // namespace
