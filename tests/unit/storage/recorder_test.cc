// The recorder's lanes: records submitted from many threads at once all reach the store.
#include "storage/recorder.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "core/request_id.h"
#include "memory_store.h"

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
    store = open_store("sqlite:" + (dir / "records.db").string());
    return std::make_unique<Recorder>(*store, (dir / "journal").string(), std::vector<RecordSink*>{},
                                      std::chrono::milliseconds(50));
  }
  int64_t stored(Recorder& recorder) {
    auto rows = recorder.store().report(ReportQuery{0, kT0 * 2, "team"});
    int64_t n = 0;
    for (const auto& row : rows) n += row.request_count;
    return n;
  }
  std::filesystem::path dir;
  std::unique_ptr<RecordStore> store;  // declared before the recorders the tests make: outlives them
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
  for (int tries = 0; tries < 100 && stored(*rec) < 3; ++tries)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(stored(*rec), 3);  // taken from the lane by the writer, the recorder still running
  EXPECT_TRUE(rec->store().find(record(1, 2).id));
}

namespace {

std::size_t lines_in(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::size_t n = 0;
  for (std::string line; std::getline(in, line);) ++n;
  return n;
}

}  // namespace

TEST_F(RecorderTest, RecordsOfAnOutageWaitInTheJournalAndAreStoredOnceTheStoreIsBack) {
  auto state = std::make_shared<switchyard::testing::MemoryStoreState>();
  state->down = true;
  const auto journal = dir / "journal";
  {
    switchyard::testing::MemoryStore memory(state);
    Recorder rec(memory, journal.string(), {}, std::chrono::milliseconds(20));
    for (int i = 0; i < 12000; ++i) rec.submit(record(1, i));
    rec.stop();  // the store is down: every record is journaled (and synced) before stop returns
  }
  EXPECT_EQ(state->size(), 0u);
  EXPECT_EQ(lines_in(journal), 12000u);

  // Back, but failing again after the first chunk of the replay: the journal keeps only the rest.
  state->down = false;
  state->writes_until_down = 1;
  {
    switchyard::testing::MemoryStore memory(state);
    Recorder rec(memory, journal.string(), {}, std::chrono::milliseconds(20));
    for (int tries = 0; tries < 200 && state->writes.load() < 1; ++tries)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    rec.stop();
  }
  EXPECT_EQ(state->size(), Recorder::kReplayRecords);
  EXPECT_EQ(lines_in(journal), 12000u - Recorder::kReplayRecords);

  state->down = false;
  state->writes_until_down = -1;
  {
    switchyard::testing::MemoryStore memory(state);
    Recorder rec(memory, journal.string(), {}, std::chrono::milliseconds(20));
    rec.stop();
  }
  EXPECT_EQ(state->size(), 12000u) << "every record once: none lost, none twice";
  EXPECT_FALSE(std::filesystem::exists(journal));
}

TEST_F(RecorderTest, ASqliteFileDeletedUnderTheGatewayIsNoticedAndItsRecordsJournaled) {
  auto rec = recorder();
  rec->submit(record(1, 0));
  for (int tries = 0; tries < 100 && stored(*rec) < 1; ++tries)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_EQ(stored(*rec), 1);
  std::filesystem::remove(dir / "records.db");
  for (int i = 1; i <= 5; ++i) rec->submit(record(1, i));
  rec->stop();
  EXPECT_EQ(lines_in(dir / "journal"), 5u) << "written to the journal, not to the deleted file";
  EXPECT_NE(rec->metrics().render().find("switchyard_journal_records 5"), std::string::npos);
}
