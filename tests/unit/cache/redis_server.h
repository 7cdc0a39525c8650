#pragma once
// A redis-server of a test's own on loopback (keeping nothing on disk), and what tests need
// around it. The same as tests/unit/governance/redis_state_test.cc's (which keeps its own copy).
#include <gtest/gtest.h>
#include <sys/types.h>

#include <string>
#include <vector>

namespace switchyard::testing {

// A loopback port the kernel had free a moment ago.
int free_port();

// One command on a connection of its own, to see what is in Redis: the reply as text (an
// integer in decimal, "(nil)" for none, "(no connection)" when it cannot connect).
std::string redis_command(int port, const std::vector<std::string>& args);

class RedisServer {
 public:
  RedisServer() = default;
  ~RedisServer() { stop(); }
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  // Starts it on `port` and waits until it answers PING (at most 10 s).
  ::testing::AssertionResult start(int port);
  // Stops the server this started (by its pid), if any.
  void stop();

 private:
  pid_t pid_ = 0;
};

}  // namespace switchyard::testing
