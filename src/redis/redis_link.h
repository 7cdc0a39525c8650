#pragma once
// One blocking hiredis connection (redis://HOST[:PORT][/DB]) with a timeout on connecting and on
// every command, and a pause after a failure: when Redis cannot be reached, a command fails at
// once (no I/O) until `retry` has passed, then the next one connects again. So a dead Redis
// costs a caller one timeout per `retry` at most. Not thread-safe: the owner holds a lock.
// Used by the shared state (governance/redis_state.h) and the response cache's Redis tier.
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct redisContext;
struct redisReply;

namespace switchyard {

class RedisLink {
 public:
  struct FreeReply {
    void operator()(redisReply* reply) const;
  };
  using Reply = std::unique_ptr<redisReply, FreeReply>;

  // Throws std::invalid_argument when the URL is malformed; connects at the first command.
  RedisLink(const std::string& url, std::chrono::milliseconds timeout, std::chrono::milliseconds retry);
  ~RedisLink();
  RedisLink(const RedisLink&) = delete;
  RedisLink& operator=(const RedisLink&) = delete;

  // Redis's reply (an error reply included), or nullptr when it could not be reached or did not
  // answer within the timeout; problem() says why.
  Reply command(const std::vector<std::string_view>& args);
  const std::string& problem() const { return problem_; }
  const std::string& url() const { return url_; }  // as redis://HOST:PORT/DB

 private:
  bool connect();
  Reply send(const std::vector<std::string_view>& args);
  void fail(std::string_view why);
  void disconnect();

  std::string host_;
  int port_ = 6379;
  int db_ = 0;
  std::string url_;
  std::chrono::milliseconds timeout_, retry_;
  redisContext* context_ = nullptr;                     // null: not connected
  std::chrono::steady_clock::time_point next_connect_;  // no connect attempt before this
  std::string problem_;
};

}  // namespace switchyard
