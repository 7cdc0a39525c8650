// SharedCache against a real redis-server, one started for each test on a free loopback port.
#include "cache/shared_cache.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>
#include <thread>

#include "cache/redis_server.h"

using namespace switchyard;
using namespace switchyard::testing;
using namespace std::chrono_literals;

namespace {

using SteadyClock = std::chrono::steady_clock;

int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

CachedAnswer answer_expiring_in(std::chrono::milliseconds life, std::string body = "{\"id\":\"gen_1\"}") {
  CachedAnswer answer;
  answer.body = std::move(body);
  answer.content_type = "application/json";
  answer.generation_id = "gen_1";
  answer.provider = "openai";
  answer.model_id = "gpt-4o";
  answer.upstream_model = "gpt-4o-2024-08-06";
  answer.cost = 0.01;
  answer.stored_ms = unix_ms();
  answer.expires_ms = answer.stored_ms + life.count();
  return answer;
}

// Polls `done` every 20 ms until it is true or `limit` has passed; whether it became true.
template <class Done>
bool eventually(Done&& done, std::chrono::milliseconds limit = 10s) {
  const auto deadline = SteadyClock::now() + limit;
  while (!done()) {
    if (SteadyClock::now() > deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

// Listens on a loopback port and never answers: a Redis that hangs.
class SilentListener {
 public:
  SilentListener() : fd_(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || listen(fd_, 8) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0)
      throw std::runtime_error("cannot listen on loopback");
    port_ = ntohs(address.sin_port);
  }
  ~SilentListener() {
    for (int connection : accepted_) close(connection);
    close(fd_);
  }
  int port() const { return port_; }
  // Whether a connection came since the last call.
  bool connected() {
    int connection = accept(fd_, nullptr, nullptr);
    if (connection < 0) return false;
    accepted_.push_back(connection);
    return true;
  }

 private:
  int fd_;
  int port_ = 0;
  std::vector<int> accepted_;
};

class SharedCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    port = free_port();
    ASSERT_TRUE(server.start(port));
  }

  SharedCache::Options options() const {
    return {.url = "redis://127.0.0.1:" + std::to_string(port), .timeout = 1000ms, .retry = 200ms};
  }

  int port = 0;
  RedisServer server;
};

TEST_F(SharedCacheTest, KeepsAnAnswerUntilItsExpiry) {
  SharedCache cache(options());
  const CachedAnswer answer = answer_expiring_in(60s);
  ASSERT_TRUE(cache.put("k1", answer));
  auto back = cache.get("k1");
  ASSERT_TRUE(back);
  EXPECT_EQ(back->body, answer.body);
  EXPECT_EQ(back->content_type, answer.content_type);
  EXPECT_EQ(back->generation_id, answer.generation_id);
  EXPECT_EQ(back->provider, answer.provider);
  EXPECT_EQ(back->upstream_model, answer.upstream_model);
  EXPECT_EQ(back->cost, answer.cost);
  EXPECT_EQ(back->stored_ms, answer.stored_ms);
  EXPECT_EQ(back->expires_ms, answer.expires_ms);
  EXPECT_FALSE(cache.get("k2"));
  // Under its own key in Redis, which expires it.
  const int64_t ttl = std::stoll(redis_command(port, {"PTTL", "sy:cache:k1"}));
  EXPECT_GT(ttl, 50'000);
  EXPECT_LE(ttl, 60'000);
}

TEST_F(SharedCacheTest, ReplicasShareAnswers) {
  SharedCache one(options()), other(options());
  ASSERT_TRUE(one.put("k", answer_expiring_in(60s, "shared")));
  auto hit = other.get("k");
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->body, "shared");
}

TEST_F(SharedCacheTest, RedisExpiresTheAnswer) {
  SharedCache cache(options());
  ASSERT_TRUE(cache.put("k", answer_expiring_in(1500ms)));
  EXPECT_TRUE(cache.get("k"));
  EXPECT_TRUE(eventually([&] { return !cache.get("k"); }));
  EXPECT_EQ(redis_command(port, {"EXISTS", "sy:cache:k"}), "0");
}

TEST_F(SharedCacheTest, AnExpiredAnswerIsNotKept) {
  SharedCache cache(options());
  EXPECT_FALSE(cache.put("k", answer_expiring_in(0ms)));
  EXPECT_FALSE(cache.put("k", answer_expiring_in(-5s)));
  EXPECT_EQ(redis_command(port, {"EXISTS", "sy:cache:k"}), "0");
}

TEST_F(SharedCacheTest, AnAnswerPastTheValueCapIsNotKept) {
  SharedCache cache(options());
  const std::size_t overhead = to_bytes(answer_expiring_in(60s, "")).size();
  const std::string at_cap(SharedCache::kMaxValueBytes - overhead, 'x');
  EXPECT_TRUE(cache.put("at-cap", answer_expiring_in(60s, at_cap)));
  EXPECT_EQ(cache.get("at-cap")->body.size(), at_cap.size());
  EXPECT_FALSE(cache.put("over-cap", answer_expiring_in(60s, at_cap + "x")));
  EXPECT_EQ(redis_command(port, {"EXISTS", "sy:cache:over-cap"}), "0");
}

TEST_F(SharedCacheTest, WhatIsNotAnAnswerIsAMiss) {
  SharedCache cache(options());
  redis_command(port, {"SET", "sy:cache:garbage", "not an answer"});
  EXPECT_FALSE(cache.get("garbage"));
  const std::string bytes = to_bytes(answer_expiring_in(60s));
  redis_command(port, {"SET", "sy:cache:truncated", bytes.substr(0, bytes.size() - 1)});
  EXPECT_FALSE(cache.get("truncated"));
  redis_command(port, {"HSET", "sy:cache:hash", "a", "b"});  // a GET of it is an error reply
  EXPECT_FALSE(cache.get("hash"));
  EXPECT_TRUE(cache.put("after", answer_expiring_in(60s)));  // the connection still works
}

TEST(SharedCacheUnreachable, ARedisThatIsDownFailsAtOnceThenIsReachedWhenItComesUp) {
  const int port = free_port();
  SharedCache cache({.url = "redis://127.0.0.1:" + std::to_string(port), .timeout = 1000ms, .retry = 100ms});
  const auto started = SteadyClock::now();
  EXPECT_FALSE(cache.get("k"));
  EXPECT_FALSE(cache.put("k", answer_expiring_in(60s)));
  EXPECT_LT(SteadyClock::now() - started, 500ms);  // refused at once, not after the 1 s timeout
  RedisServer server;
  ASSERT_TRUE(server.start(port));
  EXPECT_TRUE(eventually([&] { return cache.put("k", answer_expiring_in(60s)); }));
  EXPECT_TRUE(cache.get("k"));
}

TEST(SharedCacheUnreachable, ARedisThatDoesNotAnswerCostsOneTimeoutThenNoIoUntilTheRetry) {
  SilentListener silent;
  SharedCache cache({.url = "redis://127.0.0.1:" + std::to_string(silent.port()), .timeout = 200ms, .retry = 60s});
  const auto started = SteadyClock::now();
  EXPECT_FALSE(cache.get("k"));
  const auto first = SteadyClock::now() - started;
  EXPECT_GE(first, 150ms);
  EXPECT_LT(first, 2s);
  EXPECT_TRUE(silent.connected());
  EXPECT_FALSE(cache.get("k"));
  EXPECT_FALSE(cache.put("k", answer_expiring_in(60s)));
  EXPECT_FALSE(silent.connected());  // within `retry`: no new connection
}

TEST(SharedCacheUrl, AMalformedUrlIsRefused) {
  for (const char* url : {"http://127.0.0.1:6379", "redis://", "redis://host:0", "redis://host:port",
                          "redis://user:pw@host", "redis://host/db", "redis://[::1]:6379"})
    EXPECT_THROW(SharedCache({.url = url}), std::invalid_argument) << url;
  EXPECT_NO_THROW(SharedCache({.url = "redis://localhost:6380/2"}));
}

}  // namespace
