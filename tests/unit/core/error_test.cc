#include "core/error.h"

#include <gtest/gtest.h>

using namespace switchyard;

TEST(Error, UpstreamClientErrorsKeepTheirStatusAndMessage) {
  Error e = upstream_status_error("openai", 400, "context too long");
  EXPECT_EQ(e.status, 400);
  EXPECT_EQ(e.message, "context too long");
  EXPECT_FALSE(e.retryable);
  EXPECT_EQ(e.source, ErrorSource::upstream);
}

TEST(Error, RateLimitsAreRetryable) {
  Error e = upstream_status_error("openai", 429, "slow down");
  EXPECT_EQ(e.status, 429);
  EXPECT_TRUE(e.retryable);
}

TEST(Error, UpstreamServerErrorsBecomeGatewayStatuses) {
  EXPECT_EQ(upstream_status_error("p", 500, "boom").status, 502);
  EXPECT_EQ(upstream_status_error("p", 502, "boom").status, 502);
  EXPECT_EQ(upstream_status_error("p", 503, "busy").status, 503);
  EXPECT_EQ(upstream_status_error("p", 504, "late").status, 504);
  Error e = upstream_status_error("p", 500, "boom");
  EXPECT_TRUE(e.retryable);
  EXPECT_EQ(e.message, "provider p failed with HTTP 500: boom");
}

TEST(Error, KindsMapToStatuses) {
  EXPECT_EQ(make_error(ErrorKind::bad_request, "x").status, 400);
  EXPECT_EQ(make_error(ErrorKind::unauthorized, "x").status, 401);
  EXPECT_EQ(make_error(ErrorKind::not_found, "x").status, 404);
  EXPECT_EQ(make_error(ErrorKind::payload_too_large, "x").status, 413);
  EXPECT_EQ(make_error(ErrorKind::upstream_timeout, "x").status, 504);
  EXPECT_TRUE(make_error(ErrorKind::upstream_unreachable, "x").retryable);
  EXPECT_FALSE(make_error(ErrorKind::bad_request, "x").retryable);
}
