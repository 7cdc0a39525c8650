#pragma once
// The response cache's Redis tier (`state: redis://...` set and `cache:` on): answers kept by
// every replica are served by every other. Calls block for one round trip at most (timeout),
// so the request path runs them on the blocking pool (server/offload.h); when Redis cannot be
// reached a call fails at once and the next connect waits `retry` (a dead Redis is a miss).
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "cache/response_cache.h"

namespace switchyard {

class SharedCache {
 public:
  struct Options {
    std::string url;  // redis://HOST:PORT[/DB]
    std::chrono::milliseconds timeout{250};
    std::chrono::milliseconds retry{1000};
  };
  // An answer whose bytes (to_bytes) are longer is not kept in Redis.
  static constexpr std::size_t kMaxValueBytes = 8u << 20;

  // Throws std::invalid_argument when the URL is malformed; connects lazily.
  explicit SharedCache(const Options& options);
  ~SharedCache();

  // The answer under `key` ("sy:cache:" + key in Redis), or nullopt (none, expired, unreachable,
  // or not an answer this version reads). Thread-safe: one connection behind a mutex.
  std::optional<CachedAnswer> get(const std::string& key);
  // SET with PX until answer.expires_ms (Unix ms by this machine's clock; Redis expires it).
  // False when not kept: Redis cannot be reached, the answer has expired, or it is over
  // kMaxValueBytes.
  bool put(const std::string& key, const CachedAnswer& answer);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace switchyard
