// RedisState against a real redis-server, one started for each test on a free loopback port.
#include "governance/redis_state.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <thread>

#include "pipeline/governance_runtime.h"
#include "routing/latency_tracker.h"

using namespace switchyard;
using namespace std::chrono_literals;

namespace {

using SteadyClock = std::chrono::steady_clock;

sockaddr_in loopback(int port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  return address;
}

// A port the kernel had free a moment ago.
int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address = loopback(0);
  socklen_t length = sizeof address;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0)
    throw std::runtime_error("no free port");
  close(fd);
  return ntohs(address.sin_port);
}

// Listens on a port and never answers: shows whether anyone connected.
class SilentListener {
 public:
  explicit SilentListener(int port) : fd_(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0)) {
    int on = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    sockaddr_in address = loopback(port);
    if (bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || listen(fd_, 8) != 0)
      throw std::runtime_error(fmt::format("cannot listen on port {}", port));
  }
  ~SilentListener() {
    for (int connection : accepted_) close(connection);
    close(fd_);
  }
  // Whether a connection came since the last call.
  bool connected() {
    int connection = accept(fd_, nullptr, nullptr);
    if (connection < 0) return false;
    accepted_.push_back(connection);
    return true;
  }

 private:
  int fd_;
  std::vector<int> accepted_;
};

// One command on a connection of its own, to see what RedisState left in Redis: the reply as
// text (an integer in decimal, "(nil)" for none).
std::string inspect(int port, int db, const std::vector<std::string>& args) {
  redisContext* context = redisConnect("127.0.0.1", port);
  std::string text = "(no connection)";
  if (context && !context->err) {
    freeReplyObject(redisCommand(context, "SELECT %d", db));
    std::vector<const char*> argv;
    std::vector<size_t> lengths;
    for (const auto& arg : args) {
      argv.push_back(arg.data());
      lengths.push_back(arg.size());
    }
    auto* reply =
        static_cast<redisReply*>(redisCommandArgv(context, static_cast<int>(argv.size()), argv.data(), lengths.data()));
    if (!reply)
      text = "(no reply)";
    else if (reply->type == REDIS_REPLY_INTEGER)
      text = std::to_string(reply->integer);
    else if (reply->type == REDIS_REPLY_NIL)
      text = "(nil)";
    else
      text = std::string(reply->str, reply->len);
    freeReplyObject(reply);
  }
  redisFree(context);
  return text;
}

// A redis-server of the test's own on loopback, keeping nothing on disk.
class RedisServer {
 public:
  ~RedisServer() { stop(); }

  // Starts it and waits until it answers PING (at most 10 s).
  ::testing::AssertionResult start(int port) {
    const std::string port_text = std::to_string(port);
    std::vector<const char*> argv = {"redis-server", "--port",     port_text.c_str(), "--bind", "127.0.0.1",
                                     "--save",       "",           "--appendonly",    "no",     "--daemonize",
                                     "no",           "--loglevel", "warning",         nullptr};
    pid_ = fork();
    if (pid_ < 0) return ::testing::AssertionFailure() << "fork failed";
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlives a test run that crashed
      int null = open("/dev/null", O_WRONLY);
      dup2(null, STDOUT_FILENO);
      dup2(null, STDERR_FILENO);
      execvp(argv[0], const_cast<char* const*>(argv.data()));
      _exit(127);
    }
    const auto deadline = SteadyClock::now() + 10s;
    while (SteadyClock::now() < deadline) {
      if (inspect(port, 0, {"PING"}) == "PONG") return ::testing::AssertionSuccess();
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = 0;
        return ::testing::AssertionFailure() << "redis-server on port " << port << " exited with " << status;
      }
      std::this_thread::sleep_for(10ms);
    }
    return ::testing::AssertionFailure() << "redis-server on port " << port << " did not answer PING within 10 s";
  }

  void stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
    pid_ = 0;
  }

 private:
  pid_t pid_ = 0;
};

// Polls `done` every 50 ms until it is true or `limit` has passed; whether it became true.
template <class Done>
bool eventually(Done&& done, std::chrono::milliseconds limit = 10s) {
  const auto deadline = SteadyClock::now() + limit;
  while (!done()) {
    if (SteadyClock::now() > deadline) return false;
    std::this_thread::sleep_for(50ms);
  }
  return true;
}

class RedisStateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    port = free_port();
    ASSERT_TRUE(server.start(port));
  }
  void TearDown() override { server.stop(); }

  std::string url(int db = 0) const { return fmt::format("redis://127.0.0.1:{}/{}", port, db); }
  RedisState::Options options(const std::string& replica = "r1") {
    return {.url = url(), .replica = replica, .timeout = 1000ms, .retry = 500ms};
  }
  // Minute-window tests run inside one minute of Redis's clock: when less than 5 s of the
  // current one are left, this waits for the next.
  static void within_one_minute(RedisState& state) {
    Grant probe = state.take({"probe", Window::minute, 1}, 0, false, std::nullopt);
    ASSERT_FALSE(probe.unavailable) << probe.problem;
    if (probe.reset_ms < 5000) std::this_thread::sleep_for(std::chrono::milliseconds(probe.reset_ms + 100));
  }

  int port = 0;
  RedisServer server;
};

}  // namespace

TEST_F(RedisStateTest, MinuteCounterAdmitsExactlyTheLimitThenRefuses) {
  RedisState state(options());
  within_one_minute(state);
  const Counter rpm{"rpm:k:key_1", Window::minute, 3};
  Grant first = state.take(rpm, 1, false, std::nullopt);
  EXPECT_EQ(first.granted, 1);
  EXPECT_EQ(first.used, 1);
  EXPECT_GT(first.reset_ms, 0);
  EXPECT_LE(first.reset_ms, 60'000);
  EXPECT_EQ(state.take(rpm, 1, false, std::nullopt).used, 2);
  EXPECT_EQ(state.take(rpm, 1, false, std::nullopt).used, 3);
  Grant refused = state.take(rpm, 1, false, std::nullopt);
  EXPECT_FALSE(refused.unavailable);
  EXPECT_EQ(refused.granted, 0);
  EXPECT_EQ(refused.used, 3);
  EXPECT_EQ(refused.bucket, first.bucket);
  EXPECT_TRUE(state.reachable());
  // Kept under the minute's own key, gone within two minutes.
  const std::string key = fmt::format("sy:rpm:k:key_1:{}", first.bucket);
  EXPECT_EQ(inspect(port, 0, {"GET", key}), "3");
  const int64_t ttl = std::stoll(inspect(port, 0, {"PTTL", key}));
  EXPECT_GT(ttl, 0);
  EXPECT_LE(ttl, 120'000);
}

TEST_F(RedisStateTest, PartialTakeGetsWhatIsLeft) {
  RedisState state(options());
  within_one_minute(state);
  const Counter tpm{"tpm:k:key_1", Window::minute, 10};
  EXPECT_EQ(state.take(tpm, 7, false, std::nullopt).granted, 7);
  Grant whole = state.take(tpm, 5, false, std::nullopt);
  EXPECT_EQ(whole.granted, 0);
  EXPECT_EQ(whole.used, 7);
  Grant partial = state.take(tpm, 5, true, std::nullopt);
  EXPECT_EQ(partial.granted, 3);
  EXPECT_EQ(partial.used, 10);
  EXPECT_EQ(state.take(tpm, 5, true, std::nullopt).granted, 0);
}

TEST_F(RedisStateTest, UnitsGivenBackCountOnlyInTheirMinuteAndNeverBelowZero) {
  RedisState state(options());
  within_one_minute(state);
  const Counter rpm{"rpm:k:key_1", Window::minute, 5};
  Grant taken = state.take(rpm, 5, false, std::nullopt);
  ASSERT_EQ(taken.granted, 5);
  state.give(rpm, taken.bucket, 2);
  Grant again = state.take(rpm, 2, false, std::nullopt);
  EXPECT_EQ(again.granted, 2);
  EXPECT_EQ(again.used, 5);
  state.give(rpm, taken.bucket - 1, 5);  // a minute that is over: nothing comes back
  EXPECT_EQ(state.take(rpm, 1, false, std::nullopt).granted, 0);
  state.give(rpm, taken.bucket, 100);
  Grant emptied = state.take(rpm, 5, false, std::nullopt);
  EXPECT_EQ(emptied.granted, 5);
  EXPECT_EQ(emptied.used, 5);
}

TEST_F(RedisStateTest, PeriodCounterAsksForASeedThenCountsFromIt) {
  RedisState state(options());
  const Counter usd{"usd:t:acme:2026-12", Window::period, 100};
  Grant unseeded = state.take(usd, 10, false, std::nullopt);
  EXPECT_TRUE(unseeded.needs_seed);
  EXPECT_FALSE(unseeded.unavailable);
  EXPECT_EQ(unseeded.granted, 0);
  Grant seeded = state.take(usd, 10, false, 85);
  EXPECT_FALSE(seeded.needs_seed);
  EXPECT_EQ(seeded.granted, 10);
  EXPECT_EQ(seeded.used, 95);
  Grant reseeded = state.take(usd, 10, false, 0);  // held now: a seed changes nothing
  EXPECT_EQ(reseeded.granted, 0);
  EXPECT_EQ(reseeded.used, 95);
  EXPECT_EQ(state.take(usd, 10, true, std::nullopt).granted, 5);
  EXPECT_GT(std::stoll(inspect(port, 0, {"PTTL", "sy:usd:t:acme:2026-12"})), 39LL * 24 * 3600 * 1000);
}

TEST_F(RedisStateTest, ChargesGoBeyondTheLimit) {
  RedisState state(options());
  within_one_minute(state);
  const Counter tpm{"tpm:k:key_1", Window::minute, 10};
  Grant taken = state.take(tpm, 10, false, std::nullopt);
  state.charge(tpm, taken.bucket, 5);
  Grant over = state.take(tpm, 1, true, std::nullopt);
  EXPECT_EQ(over.granted, 0);
  EXPECT_EQ(over.used, 15);
  state.give(tpm, taken.bucket, 3);
  EXPECT_EQ(state.take(tpm, 1, true, std::nullopt).used, 12);

  const Counter usd{"usd:k:key_1:2026-12", Window::period, 100};
  state.charge(usd, 0, 40);  // not held: the seed of its first take counts this spend
  EXPECT_TRUE(state.take(usd, 1, false, std::nullopt).needs_seed);
  EXPECT_EQ(state.take(usd, 50, false, 40).used, 90);
  state.charge(usd, 0, 30);
  Grant spent = state.take(usd, 1, true, std::nullopt);
  EXPECT_EQ(spent.granted, 0);
  EXPECT_EQ(spent.used, 120);
}

TEST_F(RedisStateTest, HeldCounterSumsTheReplicas) {
  RedisState a(options("r1")), b(options("r2"));
  const Counter inflight{"inflight:k:key_1", Window::held, 3};
  EXPECT_EQ(a.take(inflight, 2, false, std::nullopt).granted, 2);
  Grant refused = b.take(inflight, 2, false, std::nullopt);
  EXPECT_EQ(refused.granted, 0);
  EXPECT_EQ(refused.used, 2);
  Grant partial = b.take(inflight, 2, true, std::nullopt);
  EXPECT_EQ(partial.granted, 1);
  EXPECT_EQ(partial.used, 3);
  a.give(inflight, 0, 5);  // more than a holds: a's units go to zero, b's stay
  Grant after = b.take(inflight, 2, false, std::nullopt);
  EXPECT_EQ(after.granted, 2);
  EXPECT_EQ(after.used, 3);
  b.charge(inflight, 0, 1);
  EXPECT_EQ(a.take(inflight, 1, true, std::nullopt).used, 4);
}

TEST_F(RedisStateTest, ASilentReplicasUnitsAreFreed) {
  RedisState::Options short_lived = options("r1");
  short_lived.replica_ttl = 1s;
  RedisState a(short_lived), b(options("r2"));
  const Counter inflight{"inflight:k:key_1", Window::held, 3};
  ASSERT_EQ(a.take(inflight, 3, false, std::nullopt).granted, 3);
  // Heartbeats keep a's units counted past its ttl.
  const auto beating_until = SteadyClock::now() + 1500ms;
  while (SteadyClock::now() < beating_until) {
    EXPECT_TRUE(a.heartbeat());
    EXPECT_EQ(b.take(inflight, 1, false, std::nullopt).granted, 0);
    std::this_thread::sleep_for(200ms);
  }
  // Once a is silent for its ttl, its units no longer count.
  const auto silent_since = SteadyClock::now();
  Grant freed;
  EXPECT_TRUE(eventually([&] { return (freed = b.take(inflight, 1, false, std::nullopt)).granted == 1; }));
  EXPECT_GE(SteadyClock::now() - silent_since, 600ms);  // the last heartbeat was at most ~200 ms before
  EXPECT_EQ(freed.used, 1);
}

TEST(RedisStateNoServer, IsUnavailableNamingTheUrl) {
  const int port = free_port();
  RedisState state({.url = fmt::format("redis://127.0.0.1:{}", port), .replica = "r1"});
  Grant grant = state.take({"rpm:k:key_1", Window::minute, 10}, 1, false, std::nullopt);
  EXPECT_TRUE(grant.unavailable);
  EXPECT_EQ(grant.granted, 0);
  EXPECT_EQ(grant.problem, fmt::format("redis://127.0.0.1:{}/0 unreachable: Connection refused", port));
  EXPECT_FALSE(state.reachable());
}

TEST(RedisStateNoServer, SpeedsStayLocal) {
  RedisState state({.url = fmt::format("redis://127.0.0.1:{}", free_port()), .replica = "r1"});
  LatencyTracker latency;
  latency.record_ttft("openai", "gpt-4o", 100ms);
  sync_speeds(latency, state);
  EXPECT_FALSE(state.reachable());
  EXPECT_EQ(state.fold_speeds({}, 0.3), std::nullopt);
  EXPECT_DOUBLE_EQ(*latency.ttft("openai", "gpt-4o"), 100'000);
  latency.record_ttft("openai", "gpt-4o", 200ms);
  EXPECT_DOUBLE_EQ(*latency.ttft("openai", "gpt-4o"), 0.3 * 200'000 + 0.7 * 100'000);
}

TEST_F(RedisStateTest, AfterAFailureNothingConnectsUntilRetryHasPassed) {
  RedisState::Options slow_retry = options();
  slow_retry.retry = 1500ms;
  RedisState state(slow_retry);
  const Counter rpm{"rpm:k:key_1", Window::minute, 10};
  ASSERT_FALSE(state.take(rpm, 1, false, std::nullopt).unavailable);
  server.stop();
  Grant lost = state.take(rpm, 1, false, std::nullopt);
  const auto lost_at = SteadyClock::now();
  EXPECT_TRUE(lost.unavailable);
  EXPECT_TRUE(lost.problem.starts_with(url() + " unreachable: ")) << lost.problem;
  EXPECT_FALSE(state.reachable());

  // Something listens on the port again (and never answers): until retry has passed, every call
  // fails at once without connecting.
  SilentListener listener(port);
  Grant again = state.take(rpm, 1, false, std::nullopt);
  EXPECT_TRUE(again.unavailable);
  EXPECT_EQ(again.problem, lost.problem);
  EXPECT_FALSE(state.heartbeat());
  EXPECT_FALSE(state.publish_open_route("openai/gpt-4o", 10s));
  EXPECT_EQ(state.open_routes(), std::nullopt);
  EXPECT_LT(SteadyClock::now() - lost_at, 500ms);  // no call waited for the 1 s timeout
  EXPECT_FALSE(listener.connected());

  // Then the next call connects, and gives up after the timeout.
  std::this_thread::sleep_until(lost_at + slow_retry.retry);
  Grant silent = state.take(rpm, 1, false, std::nullopt);
  EXPECT_TRUE(silent.unavailable);
  EXPECT_EQ(silent.problem, url() + " unreachable: no answer within 1000 ms");
  EXPECT_TRUE(listener.connected());
}

TEST_F(RedisStateTest, ARestartedServerIsUsedAgainOnceRetryHasPassed) {
  RedisState::Options in_db_2 = options();
  in_db_2.url = url(2);
  RedisState state(in_db_2);
  const Counter usd{"usd:t:acme:2026-12", Window::period, 100};
  ASSERT_EQ(state.take(usd, 1, false, 0).used, 1);
  server.stop();
  ASSERT_TRUE(state.take(usd, 1, false, 0).unavailable);
  const auto lost_at = SteadyClock::now();
  ASSERT_TRUE(server.start(port));
  Grant back;
  EXPECT_TRUE(eventually([&] { return !(back = state.take(usd, 1, false, 0)).unavailable; }));
  EXPECT_GE(SteadyClock::now() - lost_at, in_db_2.retry - 50ms);
  EXPECT_TRUE(state.reachable());
  EXPECT_EQ(back.used, 1);  // a new server: counting starts again from the seed
  // The new connection selected the URL's database again.
  EXPECT_EQ(inspect(port, 2, {"GET", "sy:usd:t:acme:2026-12"}), "1");
  EXPECT_EQ(inspect(port, 0, {"EXISTS", "sy:usd:t:acme:2026-12"}), "0");
}

TEST_F(RedisStateTest, OpenRoutesAreSharedBetweenReplicas) {
  RedisState a(options("r1")), b(options("r2"));
  EXPECT_TRUE(a.publish_open_route("openai/gpt-4o", 60s));
  EXPECT_TRUE(b.publish_open_route("openai/gpt-4o", 10s));  // ends earlier: the later end stays
  EXPECT_TRUE(a.publish_open_route("anthropic/claude", 0ms));
  auto routes = b.open_routes();
  ASSERT_TRUE(routes);
  ASSERT_EQ(routes->size(), 1u);
  EXPECT_EQ(routes->front().first, "openai/gpt-4o");
  EXPECT_GT(routes->front().second, 50'000);
  EXPECT_LE(routes->front().second, 60'000);
  EXPECT_EQ(inspect(port, 0, {"HEXISTS", "sy:breaker", "anthropic/claude"}), "0");  // its time was up
  auto seen_by_a = a.open_routes();
  ASSERT_TRUE(seen_by_a);
  ASSERT_EQ(seen_by_a->size(), 1u);
  EXPECT_EQ(seen_by_a->front().first, "openai/gpt-4o");
}

TEST_F(RedisStateTest, ReplicasSpeedsConvergeOnTheSharedAverages) {
  RedisState a(options("r1")), b(options("r2"));
  LatencyTracker seen_by_a, seen_by_b;
  seen_by_a.record_ttft("openai", "gpt-4o", 100ms);
  seen_by_a.record_ttft("openai", "gpt-4o", 200ms);
  sync_speeds(seen_by_a, a);
  EXPECT_DOUBLE_EQ(*seen_by_a.ttft("openai", "gpt-4o"), 150'000);  // a route's first batch: its mean
  EXPECT_EQ(seen_by_a.tps("openai", "gpt-4o"), std::nullopt);

  for (int i = 0; i < 3; ++i) seen_by_b.record_ttft("openai", "gpt-4o", 400ms);
  seen_by_b.record_tps("openai", "gpt-4o", 50);
  sync_speeds(seen_by_b, b);
  // Three samples weigh 1 - 0.7^3 = 0.657 against the shared 150 ms.
  const double shared = 0.657 * 400'000 + 0.343 * 150'000;
  EXPECT_NEAR(*seen_by_b.ttft("openai", "gpt-4o"), shared, 1e-6);
  EXPECT_DOUBLE_EQ(*seen_by_b.tps("openai", "gpt-4o"), 50);

  sync_speeds(seen_by_a, a);  // nothing new from a: it learns what b measured
  EXPECT_NEAR(*seen_by_a.ttft("openai", "gpt-4o"), shared, 1e-6);
  EXPECT_DOUBLE_EQ(*seen_by_a.tps("openai", "gpt-4o"), 50);
  sync_speeds(seen_by_b, b);  // samples are sent once
  EXPECT_NEAR(*seen_by_b.ttft("openai", "gpt-4o"), shared, 1e-6);
  // Kept as "<ttft>,<tps>,<Unix ms of the last batch>".
  const std::string stored = inspect(port, 0, {"HGET", "sy:speed", "openai/gpt-4o"});
  EXPECT_NEAR(std::stod(stored), shared, 1e-6) << stored;
  EXPECT_NE(stored.find(",50,"), std::string::npos) << stored;
}

TEST_F(RedisStateTest, ARouteNoReplicaMeasuredForItsTimeIsForgotten) {
  RedisState::Options short_lived = options("r1");
  short_lived.speed_ttl = 1s;
  RedisState a(short_lived);
  const auto written = SteadyClock::now();
  ASSERT_TRUE(a.fold_speeds({{"openai/gpt-4o", {100'000, 1}, {}}}, 0.3));
  const int64_t ttl = std::stoll(inspect(port, 0, {"PTTL", "sy:speed"}));
  EXPECT_GT(ttl, 0);
  EXPECT_LE(ttl, 1000);
  // Another route keeps being measured; gpt-4o goes once a second has passed.
  std::optional<std::vector<RedisState::SharedSpeed>> shared;
  EXPECT_TRUE(eventually([&] {
    shared = a.fold_speeds({{"anthropic/claude", {}, {40, 1}}}, 0.3);
    return shared && shared->size() == 1;
  }));
  EXPECT_GE(SteadyClock::now() - written, 900ms);
  ASSERT_TRUE(shared);
  ASSERT_EQ(shared->size(), 1u);
  EXPECT_EQ(shared->front().route, "anthropic/claude");
  EXPECT_EQ(shared->front().ttft, std::nullopt);
  EXPECT_EQ(shared->front().tps, 40);
  EXPECT_EQ(inspect(port, 0, {"HEXISTS", "sy:speed", "openai/gpt-4o"}), "0");
}

TEST_F(RedisStateTest, AtMostTheBoundOfRoutesIsShared) {
  RedisState a(options());
  std::vector<RedisState::SpeedSamples> many;
  for (std::size_t i = 0; i <= RedisState::kMaxSpeedRoutes; ++i)
    many.push_back({fmt::format("p/m{}", i), {1000, 1}, {}});
  auto shared = a.fold_speeds(many, 0.3);
  ASSERT_TRUE(shared);
  EXPECT_EQ(shared->size(), RedisState::kMaxSpeedRoutes);
  EXPECT_EQ(inspect(port, 0, {"HLEN", "sy:speed"}), std::to_string(RedisState::kMaxSpeedRoutes));
  // When full, a route already shared is still folded in; a new one is not kept.
  shared = a.fold_speeds({{"p/m0", {3000, 1}, {}}, {"p/new", {1000, 1}, {}}}, 0.5);
  ASSERT_TRUE(shared);
  EXPECT_EQ(shared->size(), RedisState::kMaxSpeedRoutes);
  auto m0 = std::find_if(shared->begin(), shared->end(), [](const auto& s) { return s.route == "p/m0"; });
  ASSERT_NE(m0, shared->end());
  EXPECT_DOUBLE_EQ(*m0->ttft, 2000);
  EXPECT_EQ(inspect(port, 0, {"HEXISTS", "sy:speed", "p/new"}), "0");
}

TEST_F(RedisStateTest, ConcurrentTakesNeverOvershoot) {
  RedisState a(options("r1")), b(options("r2"));
  const Counter usd{"usd:t:acme:2026-12", Window::period, 100};
  std::atomic<int64_t> granted = 0;
  std::vector<std::thread> threads;
  for (RedisState* state : {&a, &a, &b, &b})
    threads.emplace_back([&, state] {
      for (int i = 0; i < 60; ++i) granted += state->take(usd, 1, false, 0).granted;
    });
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(granted, 100);
  EXPECT_EQ(a.take(usd, 1, false, 0).used, 100);
}

TEST(RedisStateUrl, DescribesTheUrlWithItsDefaults) {
  EXPECT_EQ(RedisState({.url = "redis://cache.internal", .replica = "r1"}).describe(), "redis://cache.internal:6379/0");
  EXPECT_EQ(RedisState({.url = "redis://10.0.0.7:6380/3", .replica = "r1"}).describe(), "redis://10.0.0.7:6380/3");
}

TEST(RedisStateUrl, RefusesMalformedUrlsAndAnEmptyReplica) {
  for (const char* url :
       {"", "http://cache:6379", "rediss://cache", "redis://", "redis://:6379", "redis://cache:", "redis://cache:0",
        "redis://cache:65536", "redis://cache:63x9", "redis://cache:6379/", "redis://cache:6379/x", "redis://cache/-1",
        "redis://user:secret@cache", "redis://[::1]:6379", "redis://ca che"})
    EXPECT_THROW(RedisState({.url = url, .replica = "r1"}), std::invalid_argument) << url;
  try {
    RedisState({.url = "redis://cache:port", .replica = "r1"});
    ADD_FAILURE() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(),
                 "Redis URL 'redis://cache:port': the port must be a number from 1 to 65535 (expected "
                 "redis://HOST[:PORT][/DB])");
  }
  EXPECT_THROW(RedisState({.url = "redis://cache"}), std::invalid_argument);
}
