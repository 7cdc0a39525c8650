#include "cache/response_cache.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "cache/cache_control.h"

namespace switchyard {

std::size_t CachedAnswer::bytes() const {
  return sizeof(CachedAnswer) + body.size() + content_type.size() + generation_id.size() + provider.size() +
         model_id.size() + upstream_model.size();
}

std::string body_for(const CachedAnswer& answer, std::string_view new_id) {
  std::string body = answer.body;
  const std::string& old_id = answer.generation_id;
  if (old_id.empty() || new_id.size() != old_id.size()) return body;
  for (std::size_t at = body.find(old_id); at != std::string::npos; at = body.find(old_id, at + old_id.size()))
    body.replace(at, old_id.size(), new_id);
  return body;
}

// The encoding, version 1, integers little-endian:
//   u8 version (1), u8 flags (bit 0: streamed, bit 1: cost is set; no other bit),
//   f64 cost (its IEEE bits as a u64; 0 when unset), i64 stored_ms, i64 expires_ms,
//   then body, content_type, generation_id, provider, model_id, upstream_model, each a u32
//   length and that many bytes; nothing after.
namespace {

constexpr uint8_t kVersion = 1;
constexpr uint8_t kStreamed = 1, kHasCost = 2;

void put_u64(std::string& out, uint64_t value) {
  for (int i = 0; i < 8; ++i) out += static_cast<char>(value >> (8 * i) & 0xff);
}

void put_string(std::string& out, const std::string& text) {
  const auto length = static_cast<uint32_t>(text.size());
  for (int i = 0; i < 4; ++i) out += static_cast<char>(length >> (8 * i) & 0xff);
  out.append(text, 0, length);
}

// Reads the encoding front to back; every read checks what is left, and a failed read makes
// every later one fail.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : rest_(bytes) {}

  bool ok() const { return ok_; }
  bool at_end() const { return ok_ && rest_.empty(); }

  uint64_t u(std::size_t width) {
    if (!take(width)) return 0;
    uint64_t value = 0;
    for (std::size_t i = 0; i < width; ++i) value |= uint64_t{static_cast<unsigned char>(taken_[i])} << (8 * i);
    return value;
  }
  void string(std::string& out) {
    const auto length = static_cast<std::size_t>(u(4));
    if (take(length)) out.assign(taken_);
  }

 private:
  bool take(std::size_t count) {
    if (!ok_ || count > rest_.size()) {
      ok_ = false;
      return false;
    }
    taken_ = rest_.substr(0, count);
    rest_.remove_prefix(count);
    return true;
  }

  std::string_view rest_, taken_;
  bool ok_ = true;
};

}  // namespace

std::string to_bytes(const CachedAnswer& answer) {
  std::string out;
  out.reserve(answer.bytes() + 64);
  out += static_cast<char>(kVersion);
  out += static_cast<char>((answer.streamed ? kStreamed : 0) | (answer.cost ? kHasCost : 0));
  put_u64(out, std::bit_cast<uint64_t>(answer.cost.value_or(0.0)));
  put_u64(out, static_cast<uint64_t>(answer.stored_ms));
  put_u64(out, static_cast<uint64_t>(answer.expires_ms));
  for (const std::string* text : {&answer.body, &answer.content_type, &answer.generation_id, &answer.provider,
                                  &answer.model_id, &answer.upstream_model})
    put_string(out, *text);
  return out;
}

std::optional<CachedAnswer> answer_from_bytes(std::string_view bytes) {
  Reader in(bytes);
  const uint64_t version = in.u(1), flags = in.u(1);
  if (!in.ok() || version != kVersion || (flags & ~uint64_t{kStreamed | kHasCost}) != 0) return std::nullopt;
  CachedAnswer answer;
  answer.streamed = (flags & kStreamed) != 0;
  const double cost = std::bit_cast<double>(in.u(8));
  if (flags & kHasCost) {
    if (!std::isfinite(cost)) return std::nullopt;
    answer.cost = cost;
  }
  answer.stored_ms = static_cast<int64_t>(in.u(8));
  answer.expires_ms = static_cast<int64_t>(in.u(8));
  for (std::string* text : {&answer.body, &answer.content_type, &answer.generation_id, &answer.provider,
                            &answer.model_id, &answer.upstream_model})
    in.string(*text);
  if (!in.at_end()) return std::nullopt;
  return answer;
}

ResponseCache::ResponseCache(std::function<int64_t()> now_ms) : now_ms_(std::move(now_ms)) {}

std::optional<CachedAnswer> ResponseCache::get(const std::string& key, std::optional<int64_t> max_age_s) {
  const int64_t now = now_ms_();
  std::shared_ptr<const CachedAnswer> found;
  {
    std::lock_guard lock(mutex_);
    auto entry = entries_.find(key);
    if (entry != entries_.end() && entry->second.answer->expires_ms <= now) {
      erase(entry);
      entry = entries_.end();
    }
    const bool fresh_enough = entry != entries_.end() &&
                              (!max_age_s || (*max_age_s > 0 && now - entry->second.answer->stored_ms <=
                                                                    std::min(*max_age_s, kMaxDeltaSeconds) * 1000));
    if (!fresh_enough) {
      ++misses_;
      return std::nullopt;
    }
    ++hits_;
    Lru& lru = entry->second.partition->second.lru;
    lru.splice(lru.begin(), lru, entry->second.lru);
    found = entry->second.answer;
  }
  return *found;
}

void ResponseCache::put(const std::string& key, CachedAnswer answer, const CacheConfig& settings,
                        std::string_view partition_name) {
  const int64_t now = now_ms_();
  if (answer.stored_ms == 0) answer.stored_ms = now;
  const int64_t ttl_ms = std::min(settings.ttl_s, kMaxDeltaSeconds) * 1000;
  answer.expires_ms = answer.expires_ms == 0 ? now + ttl_ms : std::min(answer.expires_ms, now + ttl_ms);
  const std::size_t bytes = answer.bytes() + key.size();
  if (answer.expires_ms <= now || bytes > settings.max_bytes / kMaxShareOfPartition) return;
  auto shared = std::make_shared<const CachedAnswer>(std::move(answer));

  std::lock_guard lock(mutex_);
  const std::string partition_key(partition_name);
  if (!partitions_.contains(partition_key) && partitions_.size() >= kMaxPartitions) return;
  if (auto old = entries_.find(key); old != entries_.end()) erase(old);
  auto& partition = *partitions_.try_emplace(partition_key).first;
  Partition& part = partition.second;
  part.max_bytes = settings.max_bytes;
  auto entry = entries_.try_emplace(key).first;
  part.lru.push_front(&entry->first);
  entry->second = Entry{.answer = std::move(shared), .bytes = bytes, .partition = &partition, .lru = part.lru.begin()};
  part.bytes += bytes;
  bytes_ += bytes;
  ++stores_;
  // The new answer is at most a sixteenth of the bound, so it is never the one evicted.
  while (part.bytes > part.max_bytes) {
    erase(entries_.find(*part.lru.back()));
    ++evictions_;
  }
}

void ResponseCache::erase(std::unordered_map<std::string, Entry>::iterator entry) {
  auto* partition = entry->second.partition;
  Partition& part = partition->second;
  part.lru.erase(entry->second.lru);
  part.bytes -= entry->second.bytes;
  bytes_ -= entry->second.bytes;
  entries_.erase(entry);
  if (part.lru.empty()) partitions_.erase(partitions_.find(partition->first));
}

ResponseCache::Stats ResponseCache::stats() const {
  std::lock_guard lock(mutex_);
  return Stats{.hits = hits_,
               .misses = misses_,
               .stores = stores_,
               .evictions = evictions_,
               .entries = entries_.size(),
               .bytes = bytes_};
}

}  // namespace switchyard
