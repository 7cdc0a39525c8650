#include "routing/circuit_breaker.h"

#include <gtest/gtest.h>

using namespace switchyard;
using namespace std::chrono_literals;

namespace {

struct Fixture {
  Fixture() : breaker([this] { return now; }) {
    config = parse_config("providers: {p: {type: openai}, q: {type: openai}}\n", "t");
    candidates = {Candidate{&config.providers.at("p"), "m1", "p/m1"},
                  Candidate{&config.providers.at("q"), "m2", "q/m2"}};
  }
  std::vector<std::string> admitted() {
    std::vector<std::string> names;
    for (const auto* c : breaker.admit(candidates, settings)) names.push_back(c->model_id);
    return names;
  }
  // What a request that tries every admitted route in turn gets to try (each pass held until the
  // end, as an attempt loop holds it while the route answers).
  std::vector<std::string> tried(std::vector<CircuitBreaker::Pass>& passes) {
    std::vector<std::string> names;
    for (const auto* c : breaker.admit(candidates, settings)) {
      passes.push_back(breaker.enter(*c, settings));
      if (passes.back().admitted()) names.push_back(c->model_id);
    }
    return names;
  }
  std::chrono::steady_clock::time_point now{};
  Config config;
  std::vector<Candidate> candidates;
  BreakerConfig settings{3, 30s};
  CircuitBreaker breaker;
};

}  // namespace

TEST(CircuitBreaker, OpensAfterConsecutiveFailuresAndSkipsTheRoute) {
  Fixture f;
  f.breaker.record_failure(f.candidates[0], f.settings);
  f.breaker.record_failure(f.candidates[0], f.settings);
  EXPECT_EQ(f.admitted(), (std::vector<std::string>{"p/m1", "q/m2"}));
  f.breaker.record_failure(f.candidates[0], f.settings);
  EXPECT_EQ(f.admitted(), (std::vector<std::string>{"q/m2"}));
}

TEST(CircuitBreaker, ASuccessResetsTheCount) {
  Fixture f;
  f.breaker.record_failure(f.candidates[0], f.settings);
  f.breaker.record_failure(f.candidates[0], f.settings);
  f.breaker.record_success(f.candidates[0]);
  f.breaker.record_failure(f.candidates[0], f.settings);
  EXPECT_EQ(f.admitted().size(), 2u);
}

TEST(CircuitBreaker, ProbesOnceAfterTheCooldownThenClosesOrReopens) {
  Fixture f;
  for (int i = 0; i < 3; ++i) f.breaker.record_failure(f.candidates[0], f.settings);
  f.now += 29s;
  EXPECT_EQ(f.admitted(), (std::vector<std::string>{"q/m2"}));
  f.now += 1s;
  std::vector<CircuitBreaker::Pass> probe, other;
  EXPECT_EQ(f.tried(probe), (std::vector<std::string>{"p/m1", "q/m2"})) << "half-open: one probe";
  EXPECT_EQ(f.tried(other), (std::vector<std::string>{"q/m2"})) << "only one probe at a time";
  probe[0].failed(f.settings);  // the probe failed: open again, from now
  f.now += 29s;
  EXPECT_EQ(f.admitted(), (std::vector<std::string>{"q/m2"}));
  f.now += 1s;
  std::vector<CircuitBreaker::Pass> second;
  EXPECT_EQ(f.tried(second).size(), 2u);
  second[0].succeeded();  // the probe worked: closed
  std::vector<CircuitBreaker::Pass> a, b;
  EXPECT_EQ(f.tried(a).size(), 2u);
  EXPECT_EQ(f.tried(b).size(), 2u);
}

TEST(CircuitBreaker, ARouteAdmittedButNeverTriedKeepsItsProbe) {
  // With weighted or latency order, an earlier route often answers first: the half-open route was
  // admitted but never tried, and must stay available to the next request's probe.
  Fixture f;
  for (int i = 0; i < 3; ++i) f.breaker.record_failure(f.candidates[0], f.settings);
  f.now += 30s;
  for (int i = 0; i < 5; ++i) EXPECT_EQ(f.admitted(), (std::vector<std::string>{"p/m1", "q/m2"}));
  auto pass = f.breaker.enter(f.candidates[0], f.settings);
  EXPECT_TRUE(pass.admitted());
}

TEST(CircuitBreaker, AProbeThatEndsWithoutAnOutcomeIsGivenBack) {
  // The client left, or the probe's error was not the route's fault: the next request probes.
  Fixture f;
  for (int i = 0; i < 3; ++i) f.breaker.record_failure(f.candidates[0], f.settings);
  f.now += 30s;
  {
    auto abandoned = f.breaker.enter(f.candidates[0], f.settings);
    ASSERT_TRUE(abandoned.admitted());
    EXPECT_FALSE(f.breaker.enter(f.candidates[0], f.settings).admitted()) << "one probe at a time";
  }
  auto next = f.breaker.enter(f.candidates[0], f.settings);
  ASSERT_TRUE(next.admitted());
  next.succeeded();
  EXPECT_EQ(f.admitted().size(), 2u);
}

TEST(CircuitBreaker, RemembersABoundedNumberOfRoutes) {
  Fixture f;
  std::vector<Candidate> many;
  for (std::size_t i = 0; i < CircuitBreaker::kMaxTrackedRoutes + 100; ++i)
    many.push_back(Candidate{&f.config.providers.at("p"), "client-chosen-" + std::to_string(i), "p/x"});
  for (const auto& c : many) f.breaker.record_failure(c, f.settings);
  EXPECT_EQ(f.breaker.tracked(), CircuitBreaker::kMaxTrackedRoutes);
}

TEST(CircuitBreaker, WhenEveryRouteIsOpenTriesTheOneThatFailedLongestAgo) {
  Fixture f;
  for (int i = 0; i < 3; ++i) f.breaker.record_failure(f.candidates[1], f.settings);
  f.now += 5s;
  for (int i = 0; i < 3; ++i) f.breaker.record_failure(f.candidates[0], f.settings);
  EXPECT_EQ(f.admitted(), (std::vector<std::string>{"q/m2"}));
}

TEST(CircuitBreaker, ZeroFailuresMeansNeverOpen) {
  Fixture f;
  f.settings.failures = 0;
  for (int i = 0; i < 10; ++i) f.breaker.record_failure(f.candidates[0], f.settings);
  EXPECT_EQ(f.admitted().size(), 2u);
}
