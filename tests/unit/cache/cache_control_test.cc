// parse_cache_control: the request directives of RFC 9111 that the response cache honours.
#include "cache/cache_control.h"

#include <gtest/gtest.h>

using namespace switchyard;

namespace {

TEST(CacheControl, NoHeaderAsksNothing) {
  for (std::string_view header : {"", " ", ",,", " , "}) {
    CacheDirectives d = parse_cache_control(header);
    EXPECT_FALSE(d.no_cache) << header;
    EXPECT_FALSE(d.no_store) << header;
    EXPECT_FALSE(d.max_age_s) << header;
  }
}

TEST(CacheControl, DirectivesAreCaseInsensitiveAndSpacesAroundThemDoNotMatter) {
  CacheDirectives d = parse_cache_control("No-Cache");
  EXPECT_TRUE(d.no_cache);
  EXPECT_FALSE(d.no_store);
  d = parse_cache_control("NO-STORE");
  EXPECT_TRUE(d.no_store);
  EXPECT_FALSE(d.no_cache);
  d = parse_cache_control(" no-store ,\tno-cache,  MAX-AGE=60 ");
  EXPECT_TRUE(d.no_cache);
  EXPECT_TRUE(d.no_store);
  EXPECT_EQ(d.max_age_s, 60);
}

TEST(CacheControl, MaxAge) {
  EXPECT_EQ(parse_cache_control("max-age=0").max_age_s, 0);
  EXPECT_EQ(parse_cache_control("max-age=3600").max_age_s, 3600);
  EXPECT_EQ(parse_cache_control("max-age=\"30\"").max_age_s, 30);  // quoted form, RFC 9111 5.2
  EXPECT_EQ(parse_cache_control("max-age=007").max_age_s, 7);
  // Larger than delta-seconds allows: taken as 2^31 (RFC 9111 1.2.2), never overflowing.
  EXPECT_EQ(parse_cache_control("max-age=99999999999999999999999").max_age_s, kMaxDeltaSeconds);
  // Two of them: the smaller.
  EXPECT_EQ(parse_cache_control("max-age=10, max-age=5").max_age_s, 5);
  EXPECT_EQ(parse_cache_control("max-age=5, max-age=10").max_age_s, 5);
}

TEST(CacheControl, AMalformedMaxAgeIsIgnored) {
  for (std::string_view header :
       {"max-age", "max-age=", "max-age=-1", "max-age=1.5", "max-age=abc", "max-age=\"\"", "max-age=1 0", "max-age=+5"})
    EXPECT_FALSE(parse_cache_control(header).max_age_s) << header;
  CacheDirectives d = parse_cache_control("max-age=x, no-cache");
  EXPECT_FALSE(d.max_age_s);
  EXPECT_TRUE(d.no_cache);
  EXPECT_EQ(parse_cache_control("max-age=abc, max-age=20").max_age_s, 20);
}

TEST(CacheControl, UnknownDirectivesAreIgnored) {
  CacheDirectives d = parse_cache_control("private, only-if-cached, max-stale=5, no-transform, x-foo=\"a,b\"");
  EXPECT_FALSE(d.no_cache);
  EXPECT_FALSE(d.no_store);
  EXPECT_FALSE(d.max_age_s);
  // Nor is a directive recognised inside another name.
  d = parse_cache_control("no-cache-please, xno-store, s-max-age=5");
  EXPECT_FALSE(d.no_cache);
  EXPECT_FALSE(d.no_store);
  EXPECT_FALSE(d.max_age_s);
}

}  // namespace
