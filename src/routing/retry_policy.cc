#include "routing/retry_policy.h"

#include <charconv>

namespace switchyard {

std::optional<std::chrono::milliseconds> retry_delay(const RetryConfig& config, int retries_done, const Error& error,
                                                     std::string_view retry_after_header) {
  if (!error.retryable || retries_done >= config.max) return std::nullopt;
  if (error.status == 429 && !retry_after_header.empty()) {
    long long seconds = 0;
    auto [end, ec] =
        std::from_chars(retry_after_header.data(), retry_after_header.data() + retry_after_header.size(), seconds);
    if (ec != std::errc() || end != retry_after_header.data() + retry_after_header.size() || seconds < 0)
      return std::nullopt;  // an HTTP date, garbage or out of range: not worth waiting for
    // Compared in seconds before any multiplication, so no value can overflow.
    if (seconds > std::chrono::duration_cast<std::chrono::seconds>(config.max_retry_after).count()) return std::nullopt;
    return std::chrono::milliseconds(seconds * 1000);
  }
  return config.backoff * (1LL << std::min(retries_done, 16));
}

}  // namespace switchyard
