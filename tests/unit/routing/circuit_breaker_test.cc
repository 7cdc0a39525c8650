#include "routing/circuit_breaker.h"

#include <gtest/gtest.h>

using namespace switchyard;
using namespace std::chrono_literals;

namespace {

struct Fixture {
  Fixture() : breaker([this] { return now; }) {
    config = parse_config("providers: {p: {type: openai}, q: {type: openai}}\n", "t");
    candidates = {Candidate{&config.providers.at("p"), "m1", "p/m1"}, Candidate{&config.providers.at("q"), "m2", "q/m2"}};
  }
  std::vector<std::string> admitted() {
    std::vector<std::string> names;
    for (const auto* c : breaker.admit(candidates, settings)) names.push_back(c->model_id);
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
  EXPECT_EQ(f.admitted(), (std::vector<std::string>{"p/m1", "q/m2"})) << "half-open: one probe";
  EXPECT_EQ(f.admitted(), (std::vector<std::string>{"q/m2"})) << "only one probe at a time";
  f.breaker.record_failure(f.candidates[0], f.settings);  // the probe failed: open again, from now
  f.now += 29s;
  EXPECT_EQ(f.admitted(), (std::vector<std::string>{"q/m2"}));
  f.now += 1s;
  EXPECT_EQ(f.admitted().size(), 2u);
  f.breaker.record_success(f.candidates[0]);  // the probe worked: closed
  EXPECT_EQ(f.admitted().size(), 2u);
  EXPECT_EQ(f.admitted().size(), 2u);
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
