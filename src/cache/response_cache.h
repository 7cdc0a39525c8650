#pragma once
// The response cache (config `cache:`): whole answers kept by an exact-match key over the
// normalised request (cache/cache_key.h), in memory with a byte bound per partition and a TTL,
// and (cache/shared_cache.h) in Redis when `state:` names one, so replicas share hits.
//
// What is kept is exactly what the client was sent: a JSON body, or a stream's events; a hit is
// sent the same bytes with its own generation id in place of the stored one (the ids have the
// same length, so the bytes are patched in place). Thread-safe: one mutex around a map lookup
// and an LRU splice; nothing here blocks on I/O.
#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "core/config.h"

namespace switchyard {

struct CachedAnswer {
  std::string body;  // as the client got it: a JSON body, or a stream's events ("data: ...\n\n")
  bool streamed = false;
  std::string content_type;                        // "application/json", "text/event-stream; charset=utf-8"
  std::string generation_id;                       // the request id the body carries (0 or more times)
  std::string provider, model_id, upstream_model;  // what served it
  std::optional<double> cost;                      // USD it cost then (a hit's saved cost); nullopt: unpriced
  int64_t stored_ms = 0;                           // Unix ms it was kept
  int64_t expires_ms = 0;                          // Unix ms after which it is not served

  // What it counts against its partition's bound (with its key's length): its strings and this struct.
  std::size_t bytes() const;
};

// The body of `answer` for a new request: every occurrence of its generation id replaced by
// `new_id` (same length: "gen_" + 26 ULID characters; else the stored body as it is).
std::string body_for(const CachedAnswer& answer, std::string_view new_id);

// An answer as bytes and back (Redis keeps them): a version byte, then the fields in a fixed order,
// each string after its length. from_bytes: nullopt when `bytes` is not exactly one answer of this
// version (they come from Redis: untrusted; nothing is read past their end). Never throws.
std::string to_bytes(const CachedAnswer& answer);
std::optional<CachedAnswer> answer_from_bytes(std::string_view bytes);

class ResponseCache {
 public:
  struct Stats {
    uint64_t hits = 0, misses = 0, stores = 0, evictions = 0;
    std::size_t entries = 0, bytes = 0;
  };
  // An answer bigger than a sixteenth of its partition's bound is never kept.
  static constexpr std::size_t kMaxShareOfPartition = 16;
  // At most this many partitions hold answers at once (the global one and models with their own
  // max_mb); an answer for one more partition is not kept. So the memory held is at most
  // kMaxPartitions times the largest max_bytes, and in practice the sum of the configured bounds.
  static constexpr std::size_t kMaxPartitions = 1024;

  explicit ResponseCache(std::function<int64_t()> now_ms);

  // The answer kept under `key` when it has not expired and, with `max_age_s`, is at most that
  // old (max_age_s <= 0: none is); counts a hit or a miss. A hit becomes its partition's most
  // recently used answer; an expired answer is dropped. The answer is copied outside the lock.
  std::optional<CachedAnswer> get(const std::string& key, std::optional<int64_t> max_age_s = std::nullopt);
  // Keeps `answer` under `key` in `partition` ("" is the global one; a model whose `cache` has its
  // own max_mb, its id) until now + settings.ttl_s, evicting the least recently used answers of
  // that partition past settings.max_bytes. Replaces an answer already under `key`.
  // stored_ms and expires_ms are set here: stored_ms to now unless the answer has one (an answer
  // read from the shared tier keeps its age), expires_ms to now + ttl_s unless it has an earlier
  // one. An answer too big for the partition (see kMaxShareOfPartition), already expired, or for
  // a partition past kMaxPartitions is not kept and changes nothing. A partition's bound is the
  // max_bytes of the latest put into it.
  void put(const std::string& key, CachedAnswer answer, const CacheConfig& settings, std::string_view partition);
  // evictions: answers dropped to stay within a bound (not the expired ones dropped).
  Stats stats() const;

 private:
  using Lru = std::list<const std::string*>;  // keys (in entries_), most recently used first
  struct Partition {
    Lru lru;
    std::size_t bytes = 0;      // of its entries
    std::size_t max_bytes = 0;  // its bound, from the latest put
  };
  struct Entry {
    std::shared_ptr<const CachedAnswer> answer;                    // shared so get() copies it outside the lock
    std::size_t bytes = 0;                                         // answer->bytes() + the key's length
    std::pair<const std::string, Partition>* partition = nullptr;  // in partitions_
    Lru::iterator lru;
  };

  // Drops one entry, and its partition when that is left empty. Under mutex_.
  void erase(std::unordered_map<std::string, Entry>::iterator entry);

  std::function<int64_t()> now_ms_;
  mutable std::mutex mutex_;
  // Guarded by mutex_. Node-based maps: the pointers Entry and Lru hold stay valid.
  std::unordered_map<std::string, Entry> entries_;
  std::unordered_map<std::string, Partition> partitions_;
  uint64_t hits_ = 0, misses_ = 0, stores_ = 0, evictions_ = 0;
  std::size_t bytes_ = 0;  // of every partition
};

}  // namespace switchyard
