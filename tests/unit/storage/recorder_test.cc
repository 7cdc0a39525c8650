// The recorder's lanes: records submitted from many threads at once all reach the store.
#include "storage/recorder.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <thread>

#include "core/request_id.h"

using namespace switchyard;

namespace {

constexpr int64_t kT0 = 1795500000000;

struct RecorderTest : ::testing::Test {
  void SetUp() override {
    dir = std::filesystem::temp_directory_path() / ("sy-recorder-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(dir);
  }
  void TearDown() override { std::filesystem::remove_all(dir); }
  std::unique_ptr<Recorder> recorder() {
    return std::make_unique<Recorder>(open_store("sqlite:" + (dir / "records.db").string()), (dir / "journal").string(),
                                      std::chrono::milliseconds(50));
  }
  int64_t stored(Recorder& recorder) {
    auto rows = recorder.store().report(ReportQuery{0, kT0 * 2, "team"});
    int64_t n = 0;
    for (const auto& row : rows) n += row.request_count;
    return n;
  }
  std::filesystem::path dir;
};

UsageRecord record(int thread, int i) {
  UsageRecord r;
  r.id = "gen_" + format_ulid(static_cast<uint64_t>(kT0 + i), static_cast<uint64_t>(thread), static_cast<uint64_t>(i));
  r.created_ms = kT0 + i;
  r.team = "team-" + std::to_string(thread);
  r.status = 200;
  return r;
}

}  // namespace

TEST_F(RecorderTest, RecordsFromMoreThreadsThanLanesAllReachTheStore) {
  auto rec = recorder();
  constexpr int kThreads = 70, kEach = 700;  // beyond the 64 lanes: the rest share one
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) rec->submit(record(t, i));
    });
  for (auto& thread : threads) thread.join();
  rec->stop();
  EXPECT_EQ(stored(*rec), kThreads * kEach);
  EXPECT_EQ(rec->store().report(ReportQuery{0, kT0 * 2, "team", "team-69"}).at(0).request_count, kEach);
}

TEST_F(RecorderTest, AQuietThreadsRecordsAreStoredWithoutMoreComing) {
  auto rec = recorder();
  std::thread([&] {
    for (int i = 0; i < 3; ++i) rec->submit(record(1, i));  // fewer than a lane hands over
  }).join();
  for (int tries = 0; tries < 100 && stored(*rec) < 3; ++tries) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(stored(*rec), 3);  // taken from the lane by the writer, the recorder still running
  EXPECT_TRUE(rec->store().find(record(1, 2).id));
}
