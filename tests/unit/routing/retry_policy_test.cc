#include "routing/retry_policy.h"

#include <gtest/gtest.h>

using namespace switchyard;
using std::chrono::milliseconds;

namespace {
RetryConfig two_retries() { return RetryConfig{2, milliseconds(100), milliseconds(2000)}; }
}  // namespace

TEST(RetryPolicy, BacksOffExponentiallyUntilTheRetriesAreUsedUp) {
  Error failed = upstream_status_error("p", 503, "busy");
  EXPECT_EQ(retry_delay(two_retries(), 0, failed, ""), milliseconds(100));
  EXPECT_EQ(retry_delay(two_retries(), 1, failed, ""), milliseconds(200));
  EXPECT_EQ(retry_delay(two_retries(), 2, failed, ""), std::nullopt);
}

TEST(RetryPolicy, NeverRetriesWhatIsNotRetryable) {
  EXPECT_EQ(retry_delay(two_retries(), 0, upstream_status_error("p", 400, "bad"), ""), std::nullopt);
  EXPECT_EQ(retry_delay(RetryConfig{}, 0, upstream_status_error("p", 500, "x"), ""), std::nullopt)
      << "no retries by default";
}

TEST(RetryPolicy, HonoursAShortRetryAfterAndFallsOverOnALongOne) {
  Error limited = upstream_status_error("p", 429, "slow down");
  EXPECT_EQ(retry_delay(two_retries(), 0, limited, "1"), milliseconds(1000));
  EXPECT_EQ(retry_delay(two_retries(), 0, limited, "30"), std::nullopt);
  EXPECT_EQ(retry_delay(two_retries(), 0, limited, "Wed, 21 Oct 2026 07:28:00 GMT"), std::nullopt);
  EXPECT_EQ(retry_delay(two_retries(), 0, limited, ""), milliseconds(100)) << "no Retry-After: the usual backoff";
}

TEST(RetryPolicy, AHugeRetryAfterFallsOverWithoutOverflowing) {
  Error limited = upstream_status_error("p", 429, "slow down");
  for (const char* header : {"99999999999", "9223372036854775807", "99999999999999999999999"})
    EXPECT_EQ(retry_delay(two_retries(), 0, limited, header), std::nullopt) << header;
}
