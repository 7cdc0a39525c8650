#include "cache/shared_cache.h"

#include <hiredis/hiredis.h>

#include <mutex>

#include "redis/redis_link.h"

namespace switchyard {

struct SharedCache::Impl {
  std::mutex mutex;
  RedisLink link;  // guarded by `mutex`

  explicit Impl(const Options& options) : link(options.url, options.timeout, options.retry) {}
};

namespace {

std::string redis_key(const std::string& key) { return "sy:cache:" + key; }

}  // namespace

SharedCache::SharedCache(const Options& options) : impl_(std::make_unique<Impl>(options)) {}

SharedCache::~SharedCache() = default;

std::optional<CachedAnswer> SharedCache::get(const std::string& key) {
  const std::string name = redis_key(key);
  RedisLink::Reply reply;
  {
    std::lock_guard lock(impl_->mutex);
    reply = impl_->link.command({"GET", name});
  }
  if (!reply || reply->type != REDIS_REPLY_STRING) return std::nullopt;
  return answer_from_bytes(std::string_view(reply->str, reply->len));
}

bool SharedCache::put(const std::string& key, const CachedAnswer& answer) {
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  // The body alone past the cap: not encoded at all.
  if (answer.expires_ms <= now_ms || answer.body.size() > kMaxValueBytes) return false;
  const std::string value = to_bytes(answer);
  if (value.size() > kMaxValueBytes) return false;
  const std::string name = redis_key(key), ttl = std::to_string(answer.expires_ms - now_ms);
  std::lock_guard lock(impl_->mutex);
  RedisLink::Reply reply = impl_->link.command({"SET", name, value, "PX", ttl});
  return reply && reply->type == REDIS_REPLY_STATUS;
}

}  // namespace switchyard
