#pragma once
// What a client's Cache-Control header asks of the response cache (RFC 9111 request directives).
#include <cstdint>
#include <optional>
#include <string_view>

namespace switchyard {

// RFC 9111 1.2.2: a delta-seconds (max-age) larger than this is taken as this.
inline constexpr int64_t kMaxDeltaSeconds = int64_t{1} << 31;

struct CacheDirectives {
  bool no_cache = false;             // not served from the cache; the fresh answer is kept
  bool no_store = false;             // the answer is not kept (a kept one may still be served)
  std::optional<int64_t> max_age_s;  // only an answer at most this old is served (max-age=0: none)
};

// Directives are case-insensitive, comma separated, with optional spaces; unknown ones and a
// malformed max-age are ignored (as caches do); of two max-age, the smaller counts. Never throws.
CacheDirectives parse_cache_control(std::string_view header);

}  // namespace switchyard
