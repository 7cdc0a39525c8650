#include "core/request_id.h"

#include <gtest/gtest.h>

#include <set>

using namespace switchyard;

TEST(RequestId, EncodesUlidFromItsParts) {
  EXPECT_EQ(format_ulid(0, 0, 0), "00000000000000000000000000");
  EXPECT_EQ(format_ulid(0xFFFFFFFFFFFFull, 0xFFFF, ~0ull), "7ZZZZZZZZZZZZZZZZZZZZZZZZZ");
  // 1469918176385 ms is the ULID spec's example time, 01ARYZ6S41.
  EXPECT_EQ(format_ulid(1469918176385ull, 0, 0).substr(0, 10), "01ARYZ6S41");
}

TEST(RequestId, IsPrefixedUniqueAndTimeOrdered) {
  std::set<std::string> seen;
  std::string previous;
  for (int i = 0; i < 1000; ++i) {
    std::string id = new_request_id();
    ASSERT_EQ(id.size(), 30u);
    ASSERT_EQ(id.substr(0, 4), "gen_");
    ASSERT_TRUE(seen.insert(id).second);
    ASSERT_GE(id.substr(4, 10), previous.empty() ? "" : previous.substr(4, 10));
    previous = id;
  }
}

TEST(RequestId, CarriesThisProcessesInstanceTag) {
  const std::string& tag = this_instance_tag();
  ASSERT_EQ(tag.size(), 4u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(new_request_id().substr(14, 4), tag);
  // The rest of the random part still varies.
  EXPECT_NE(new_request_id().substr(18), new_request_id().substr(18));
}
