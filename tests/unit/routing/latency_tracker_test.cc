// The speeds routing sorts by: moving averages per route, their failure penalty, their bound, and
// the take/install exchange that shares them between replicas.
#include "routing/latency_tracker.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <thread>

using namespace switchyard;
using namespace std::chrono_literals;

TEST(LatencyTracker, TtftAndTpsAreMovingAveragesOfTheirSamples) {
  LatencyTracker latency;
  EXPECT_EQ(latency.ttft("p", "m"), std::nullopt);
  EXPECT_EQ(latency.tps("p", "m"), std::nullopt);
  latency.record_ttft("p", "m", 100ms);
  EXPECT_DOUBLE_EQ(*latency.ttft("p", "m"), 100'000);  // the first sample is the average
  latency.record_ttft("p", "m", 200ms);
  EXPECT_DOUBLE_EQ(*latency.ttft("p", "m"), 0.3 * 200'000 + 0.7 * 100'000);
  latency.record_tps("p", "m", 40);
  latency.record_tps("p", "m", 100);
  EXPECT_DOUBLE_EQ(*latency.tps("p", "m"), 0.3 * 100 + 0.7 * 40);
  EXPECT_EQ(latency.ttft("p", "other"), std::nullopt);
  EXPECT_EQ(latency.tps("q", "m"), std::nullopt);
  EXPECT_EQ(latency.average("p", "m"), std::nullopt);  // time to first byte is its own average
}

TEST(LatencyTracker, AFailureIsASlowFirstTokenAndNoThroughput) {
  LatencyTracker latency;
  latency.record_failure("p", "never-answered");
  EXPECT_DOUBLE_EQ(*latency.ttft("p", "never-answered"), 1e6);  // at least a second
  EXPECT_DOUBLE_EQ(*latency.average("p", "never-answered"), 1e6);
  EXPECT_EQ(latency.tps("p", "never-answered"), std::nullopt);

  latency.record_ttft("p", "slow", 3s);
  latency.record_tps("p", "slow", 25);
  latency.record_failure("p", "slow");
  EXPECT_DOUBLE_EQ(*latency.ttft("p", "slow"), 0.3 * 6e6 + 0.7 * 3e6);  // twice the average
  EXPECT_DOUBLE_EQ(*latency.tps("p", "slow"), 25);
}

TEST(LatencyTracker, IgnoresImpossibleSamples) {
  LatencyTracker latency;
  latency.record_ttft("p", "m", -1us);
  for (double tps : {-1.0, std::nan(""), std::numeric_limits<double>::infinity()}) latency.record_tps("p", "m", tps);
  EXPECT_EQ(latency.ttft("p", "m"), std::nullopt);
  EXPECT_EQ(latency.tps("p", "m"), std::nullopt);
  EXPECT_EQ(latency.routes(), 0u);
}

TEST(LatencyTracker, ABatchWeighsLikeItsSamplesOneByOne) {
  LatencyTracker one_by_one;
  one_by_one.record_ttft("p", "m", 100ms);
  for (int i = 0; i < 5; ++i) one_by_one.record_ttft("p", "m", 400ms);
  const auto batch = LatencyTracker::folded(100'000, {5 * 400'000, 5});
  ASSERT_TRUE(batch);
  EXPECT_NEAR(*batch, *one_by_one.ttft("p", "m"), 1e-6);
  EXPECT_DOUBLE_EQ(*LatencyTracker::folded(std::nullopt, {300, 2}), 150);  // no average yet: the mean
  EXPECT_EQ(LatencyTracker::folded(7, {}), 7);                             // no samples: unchanged
  EXPECT_EQ(LatencyTracker::folded(std::nullopt, {}), std::nullopt);
}

TEST(LatencyTracker, TracksAtMostTheBoundOfRoutes) {
  LatencyTracker latency;
  for (std::size_t i = 0; i < LatencyTracker::kMaxRoutes; ++i) latency.record_ttft("p", "m" + std::to_string(i), 1ms);
  EXPECT_EQ(latency.routes(), LatencyTracker::kMaxRoutes);
  latency.record_ttft("p", "one-too-many", 1ms);
  latency.record_failure("p", "one-too-many");
  latency.install({{"q/shared", 5, 5}});
  EXPECT_EQ(latency.ttft("p", "one-too-many"), std::nullopt);
  EXPECT_EQ(latency.average("p", "one-too-many"), std::nullopt);
  EXPECT_EQ(latency.tps("q", "shared"), std::nullopt);
  EXPECT_EQ(latency.routes(), LatencyTracker::kMaxRoutes);
  // The routes already tracked still are.
  latency.record_ttft("p", "m0", 11ms);
  EXPECT_DOUBLE_EQ(*latency.ttft("p", "m0"), 0.3 * 11'000 + 0.7 * 1'000);
  EXPECT_EQ(latency.take_samples().size(), LatencyTracker::kMaxRoutes);
}

TEST(LatencyTracker, TakesEachSampleOnceAndInstallsTheSharedAverageWithWhatCameSince) {
  LatencyTracker latency;
  latency.record_ttft("p", "m", 100ms);
  latency.record_ttft("p", "m", 300ms);
  latency.record_tps("q", "m", 10);
  latency.record_success("r", "m", 5ms);  // time to first byte is not shared
  std::map<std::string, LatencyTracker::RouteSamples> taken;
  for (auto& samples : latency.take_samples()) taken[samples.route] = samples;
  ASSERT_EQ(taken.size(), 2u);
  EXPECT_DOUBLE_EQ(taken["p/m"].ttft.sum, 400'000);
  EXPECT_EQ(taken["p/m"].ttft.count, 2);
  EXPECT_EQ(taken["p/m"].tps.count, 0);
  EXPECT_EQ(taken["q/m"].ttft.count, 0);
  EXPECT_DOUBLE_EQ(taken["q/m"].tps.sum, 10);
  EXPECT_EQ(taken["q/m"].tps.count, 1);
  EXPECT_TRUE(latency.take_samples().empty());

  // A sample while the exchange is under way: the shared average comes back with it folded in.
  latency.record_ttft("p", "m", 500ms);
  latency.install({{"p/m", 200'000, std::nullopt}, {"s/m", std::nullopt, 7}});
  EXPECT_DOUBLE_EQ(*latency.ttft("p", "m"), 0.3 * 500'000 + 0.7 * 200'000);
  EXPECT_EQ(latency.tps("p", "m"), std::nullopt);  // the shared state has none: still none here
  EXPECT_DOUBLE_EQ(*latency.tps("s", "m"), 7);     // measured by another replica only
  EXPECT_DOUBLE_EQ(*latency.tps("q", "m"), 10);    // not in the shared answer: the local average
  // That sample is still to be shared.
  auto again = latency.take_samples();
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].route, "p/m");
  EXPECT_DOUBLE_EQ(again[0].ttft.sum, 500'000);
  EXPECT_EQ(again[0].ttft.count, 1);
}

TEST(LatencyTracker, ConcurrentSamplesAreAllCounted) {
  LatencyTracker latency;
  constexpr int kThreads = 4, kSamples = 5000, kRoutes = 8;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&latency, t] {
      for (int i = 0; i < kSamples; ++i) {
        const std::string model = "m" + std::to_string((t + i) % kRoutes);
        latency.record_ttft("p", model, 2ms);
        latency.record_tps("p", model, 3);
      }
    });
  for (auto& thread : threads) thread.join();
  int64_t ttft_count = 0, tps_count = 0;
  double ttft_sum = 0;
  for (const auto& samples : latency.take_samples()) {
    ttft_count += samples.ttft.count;
    ttft_sum += samples.ttft.sum;
    tps_count += samples.tps.count;
  }
  EXPECT_EQ(ttft_count, kThreads * kSamples);
  EXPECT_EQ(tps_count, kThreads * kSamples);
  EXPECT_DOUBLE_EQ(ttft_sum, 2'000.0 * kThreads * kSamples);
  EXPECT_EQ(latency.routes(), static_cast<std::size_t>(kRoutes));
  EXPECT_DOUBLE_EQ(*latency.ttft("p", "m3"), 2'000);
}
