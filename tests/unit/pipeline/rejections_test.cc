#include "pipeline/rejections.h"

#include <gtest/gtest.h>

using namespace switchyard;

TEST(Rejections, RecordsABoundedNumberASecondAndCountsEveryOne) {
  Rejections rejections;
  const int64_t second = 1'780'000'000'000;
  uint32_t kept = 0;
  for (uint32_t i = 0; i < Rejections::kRecordsPerSecond + 50; ++i)
    kept += rejections.count(ErrorKind::unauthorized, second + i % 1000) ? 1 : 0;
  EXPECT_EQ(kept, Rejections::kRecordsPerSecond) << "the rest of that second is counted only";
  EXPECT_TRUE(rejections.count(ErrorKind::rate_limited, second + 999))
      << "a flood without a key leaves the teams' own refusals their budget";
  EXPECT_TRUE(rejections.count(ErrorKind::bad_request, second + 1000)) << "the next second records again";

  const std::string metrics = rejections.render_metrics();
  EXPECT_NE(metrics.find("switchyard_requests_rejected_total{reason=\"unauthorized\"} 250\n"), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("switchyard_requests_rejected_total{reason=\"bad_request\"} 1\n"), std::string::npos);
  EXPECT_NE(metrics.find("switchyard_requests_rejected_total{reason=\"rate_limited\"} 1\n"), std::string::npos);
  EXPECT_NE(metrics.find("switchyard_rejected_unrecorded_total 50\n"), std::string::npos);
  EXPECT_EQ(metrics.find("reason=\"not_found\""), std::string::npos) << "kinds never seen are not listed";
}
