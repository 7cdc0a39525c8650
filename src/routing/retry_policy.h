#pragma once
// When to try the same route again after a retryable failure, and after how long.
#include <chrono>
#include <optional>
#include <string_view>

#include "core/config.h"
#include "core/error.h"

namespace switchyard {

// The wait before retry number `retries_done + 1` of the same route, or nullopt to move on to the
// next route now: when the retries are used up, when the failure is not retryable, or when a 429's
// Retry-After asks for longer than `max_retry_after` (another provider is then quicker).
// Otherwise a 429 waits its Retry-After (seconds), anything else backoff x 2^retries_done.
std::optional<std::chrono::milliseconds> retry_delay(const RetryConfig& config, int retries_done, const Error& error,
                                                     std::string_view retry_after_header);

}  // namespace switchyard
