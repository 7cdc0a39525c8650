// The request log's query (RecordStore::recent, GET /v1/logs) on a SQLite store at scale: N
// synthetic records over four weeks, appended in the recorder's blocks (teams, models and users
// of skewed popularity, errors and rejections, a few long requests recorded late), then the time
// of the pages an operator asks for. A first page reads the newest blocks only, so its time does
// not grow with N; a filter that matches little reads up to the scan budget (1,000,000 records).
// Usage: logs_query [PATH] (default: a file in /tmp, removed at the end);
// LOGS_BENCH_RECORDS=N sets how many records (default 2,000,000).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "core/request_id.h"
#include "storage/record_store.h"
#include "typical_record.h"

using namespace switchyard;

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Names of skewed popularity: the i-th of `n` drawn in proportion to 1 / (i + 1).
class Zipf {
 public:
  Zipf(const std::string& prefix, int n) {
    double sum = 0;
    for (int i = 0; i < n; ++i) {
      names_.push_back(prefix + std::to_string(i));
      cumulative_.push_back(sum += 1.0 / (i + 1));
    }
  }
  const std::string& draw(std::mt19937_64& rng) const {
    double at = std::uniform_real_distribution<double>(0, cumulative_.back())(rng);
    return names_[std::lower_bound(cumulative_.begin(), cumulative_.end(), at) - cumulative_.begin()];
  }

 private:
  std::vector<std::string> names_;
  std::vector<double> cumulative_;
};

constexpr int64_t kMinuteMs = 60'000;
constexpr int64_t kSpanMs = int64_t{28} * 24 * 60 * kMinuteMs;
constexpr int64_t kStartMs = 1793577600000;  // 2026-11-01, UTC

// Writes `total` records; returns how many blocks.
std::size_t generate(RecordStore& store, std::size_t total) {
  std::mt19937_64 rng(42);
  const Zipf teams("team-", 50), models("openai/model-", 20), users("user-", 5000);
  UsageRecord r = typical_record(kStartMs);
  const auto attempts = r.attempts;
  EncodedRecords block;
  std::size_t blocks = 0;
  auto flush = [&] {
    if (block.count == 0) return;
    store.append(block);
    block.clear();
    ++blocks;
  };
  for (std::size_t i = 0; i < total; ++i) {
    const uint64_t draw = rng();
    int64_t at = kStartMs + static_cast<int64_t>(static_cast<double>(i) * kSpanMs / static_cast<double>(total));
    if (draw % 100 == 0) at -= static_cast<int64_t>((draw >> 8) % (9 * kMinuteMs));  // a long request, recorded late
    r.created_ms = at;
    r.id = "gen_" + format_ulid(static_cast<uint64_t>(at), draw >> 48, rng());
    r.team = teams.draw(rng);
    r.key_id = "key_" + r.team;
    r.user = (draw >> 20) % 100'000 == 0 ? "user-rare" : users.draw(rng);
    r.model = r.model_requested = models.draw(rng);
    r.tags.clear();
    if ((draw >> 30) % 10 < 3) r.tags.emplace_back("checkout");
    if ((draw >> 30) % 10 == 0) r.tags.emplace_back("beta");
    r.streamed = (draw >> 34) % 2 == 0;
    r.latency_ms = static_cast<int64_t>(200 + (draw >> 36) % 5000);
    r.attempts = attempts;
    switch ((draw >> 40) % 100) {
      case 0:
      case 1:
        r.status = 429;  // a limit: no upstream tried
        r.attempts.clear();
        break;
      case 2:
      case 3:
        r.status = 400;  // bad JSON
        r.attempts.clear();
        break;
      case 4:
      case 5: r.status = 502; break;
      case 6: r.status = 499; break;
      default: r.status = 200;
    }
    if (block.count == 1000 || !block.fits(at, at)) flush();
    block.add(r);
  }
  flush();
  return blocks;
}

// The median of `runs` calls of `query`, in ms.
double median_ms(const std::function<void()>& query, int runs = 5) {
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) {
    auto start = Clock::now();
    query();
    times.push_back(ms_since(start));
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

struct Case {
  const char* what;
  std::function<void(LogQuery&)> filter;
  int pages = 1;  // following the cursor
};

}  // namespace

int main(int argc, char** argv) {
  const char* records_env = std::getenv("LOGS_BENCH_RECORDS");
  const std::size_t total = records_env ? std::stoul(records_env) : 2'000'000;
  const bool own_file = argc < 2;
  const std::string path =
      own_file ? (std::filesystem::temp_directory_path() / "logs_query_bench.db").string() : argv[1];
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);

  auto start = Clock::now();
  std::size_t blocks = 0;
  {
    auto store = open_store("sqlite:" + path);
    blocks = generate(*store, total);
  }  // closed: the WAL is checkpointed into the file
  const double generate_s = ms_since(start) / 1000;
  ::sync();  // the kernel's writeback of the new file would slow the first queries
  const auto bytes = std::filesystem::file_size(path);
  std::printf("logs_query: %zu records over 28 days in %zu blocks, %.1f bytes/record (%.0f MB), written in %.1f s\n",
              total, blocks, static_cast<double>(bytes) / static_cast<double>(total), static_cast<double>(bytes) / 1e6,
              generate_s);

  auto store = open_store("sqlite:" + path);
  const std::vector<Case> cases = {
      {"first page of 50, unfiltered", [](LogQuery&) {}},
      {"first page, model = the most used (~28%)", [](LogQuery& q) { q.model = "openai/model-0"; }},
      {"first page, a user of 1 request in 100,000", [](LogQuery& q) { q.user = "user-rare"; }},
      {"first page, status 499 (1%: decoded to be told apart)", [](LogQuery& q) { q.status = 499; }},
      {"first page, team = the 10th most active (~2%)", [](LogQuery& q) { q.team = "team-9"; }},
      {"10 pages of 50, following the cursor (all 10)", [](LogQuery&) {}, 10},
  };
  auto run = [&](const Case& c) {
    LogQuery query;
    c.filter(query);
    LogPage page;
    for (int i = 0; i < c.pages; ++i) {
      page = store->recent(query);
      query.before = page.next;
    }
    return page;
  };
  // Once each first, not timed: the process's first calls pay for growing its heap (the allocator
  // maps the first large buffers afresh each time), which a gateway in service has done long ago.
  for (const auto& c : cases) run(c);
  for (const auto& c : cases) {
    LogPage page;
    double ms = median_ms([&] { page = run(c); });
    std::printf("  %-54s %8.2f ms  (%zu records%s)\n", c.what, ms, page.records.size(),
                page.next ? ", and a cursor" : ", the last page");
  }
  store.reset();
  if (own_file)
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
}
