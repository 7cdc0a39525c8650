// ResponseCache with an injected clock: LRU and byte bounds per partition, TTL and max-age,
// answers too big to keep, replacement and stats; body_for; the answer's byte encoding.
#include "cache/response_cache.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using namespace switchyard;

namespace {

constexpr int64_t kStart = 1'750'000'000'000;  // Unix ms

CachedAnswer answer_with(std::string body) {
  CachedAnswer answer;
  answer.body = std::move(body);
  answer.content_type = "application/json";
  answer.generation_id = "gen_01J00000000000000000000000";
  answer.provider = "openai";
  answer.model_id = "gpt-4o";
  answer.upstream_model = "gpt-4o-2024-08-06";
  answer.cost = 0.0025;
  return answer;
}

// Keys of one length, so every answer below costs its partition the same bytes.
std::string key(int i) { return "key-" + std::to_string(1000 + i); }

class ResponseCacheTest : public ::testing::Test {
 protected:
  // What one answer_with(kBody) under key(i) counts against its partition.
  const std::string kBody = std::string(1000, 'x');
  const std::size_t kCost = answer_with(kBody).bytes() + key(0).size();

  // Room for exactly `answers` of kCost (at least 16, the smallest bound that keeps one).
  CacheConfig settings(std::size_t answers, int64_t ttl_s = 300) const {
    return CacheConfig{.ttl_s = ttl_s, .max_bytes = answers * kCost};
  }
  bool has(const std::string& k) { return cache.get(k).has_value(); }

  int64_t now = kStart;
  ResponseCache cache{[this] { return now; }};
};

TEST_F(ResponseCacheTest, KeepsAnAnswerAndStampsItsTimes) {
  cache.put(key(1), answer_with("{\"ok\":true}"), settings(16, 60), "");
  now += 1234;
  auto hit = cache.get(key(1));
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->body, "{\"ok\":true}");
  EXPECT_EQ(hit->provider, "openai");
  EXPECT_EQ(hit->stored_ms, kStart);
  EXPECT_EQ(hit->expires_ms, kStart + 60'000);
  EXPECT_FALSE(cache.get(key(2)));
}

TEST_F(ResponseCacheTest, EvictsTheLeastRecentlyUsedPastThePartitionBound) {
  for (int i = 0; i < 16; ++i) cache.put(key(i), answer_with(kBody), settings(16), "");
  EXPECT_EQ(cache.stats().bytes, 16 * kCost);
  EXPECT_EQ(cache.stats().evictions, 0u);
  ASSERT_TRUE(has(key(0)));  // now the most recently used; key(1) is the least
  cache.put(key(16), answer_with(kBody), settings(16), "");
  EXPECT_FALSE(has(key(1)));
  EXPECT_TRUE(has(key(0)));
  EXPECT_TRUE(has(key(16)));
  cache.put(key(17), answer_with(kBody), settings(16), "");
  EXPECT_FALSE(has(key(2)));
  EXPECT_TRUE(has(key(3)));
  const auto stats = cache.stats();
  EXPECT_EQ(stats.evictions, 2u);
  EXPECT_EQ(stats.entries, 16u);
  EXPECT_EQ(stats.bytes, 16 * kCost);
}

TEST_F(ResponseCacheTest, PartitionsAreBoundedApart) {
  for (int i = 0; i < 16; ++i) cache.put(key(i), answer_with(kBody), settings(16), "");
  // A model with its own max_mb: filling it past its bound evicts only its own answers.
  for (int i = 100; i < 140; ++i) cache.put(key(i), answer_with(kBody), settings(20), "gpt-4o");
  for (int i = 0; i < 16; ++i) EXPECT_TRUE(has(key(i))) << key(i);
  for (int i = 100; i < 120; ++i) EXPECT_FALSE(has(key(i))) << key(i);
  for (int i = 120; i < 140; ++i) EXPECT_TRUE(has(key(i))) << key(i);
  EXPECT_EQ(cache.stats().bytes, 36 * kCost);
  EXPECT_EQ(cache.stats().evictions, 20u);
}

TEST_F(ResponseCacheTest, ASmallerBoundOnTheNextPutEvictsDownToIt) {
  for (int i = 0; i < 32; ++i) cache.put(key(i), answer_with(kBody), settings(32), "");
  cache.put(key(32), answer_with(kBody), settings(16), "");
  EXPECT_EQ(cache.stats().entries, 16u);
  EXPECT_FALSE(has(key(16)));
  EXPECT_TRUE(has(key(17)));
  EXPECT_TRUE(has(key(32)));
}

TEST_F(ResponseCacheTest, AnAnswerOverASixteenthOfItsPartitionIsNeverKept) {
  const CacheConfig config = settings(16);
  // Exactly a sixteenth is kept; one byte more is not.
  cache.put(key(1), answer_with(kBody), config, "");
  cache.put(key(2), answer_with(kBody + "x"), config, "");
  EXPECT_TRUE(has(key(1)));
  EXPECT_FALSE(has(key(2)));
  // Nor does it replace the answer already kept under its key.
  cache.put(key(1), answer_with(kBody + "x"), config, "");
  auto kept = cache.get(key(1));
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->body, kBody);
  EXPECT_EQ(cache.stats().stores, 1u);
  EXPECT_EQ(cache.stats().entries, 1u);
}

TEST_F(ResponseCacheTest, ExpiresAfterTheTtl) {
  cache.put(key(1), answer_with(kBody), settings(16, 10), "");
  now += 9'999;
  EXPECT_TRUE(has(key(1)));
  now += 1;
  EXPECT_FALSE(has(key(1)));
  EXPECT_EQ(cache.stats().entries, 0u);  // dropped when found expired
  EXPECT_EQ(cache.stats().bytes, 0u);
  EXPECT_EQ(cache.stats().evictions, 0u);
}

TEST_F(ResponseCacheTest, MaxAgeServesOnlyAnswersThatYoung) {
  cache.put(key(1), answer_with(kBody), settings(16), "");
  EXPECT_FALSE(cache.get(key(1), 0));  // max-age=0: never from the cache
  now += 5'000;
  EXPECT_TRUE(cache.get(key(1), 5));
  EXPECT_FALSE(cache.get(key(1), 4));
  now += 1;
  EXPECT_FALSE(cache.get(key(1), 5));
  EXPECT_TRUE(cache.get(key(1), 6));
  EXPECT_TRUE(cache.get(key(1)));  // too old for one client, still kept for the others
  EXPECT_TRUE(cache.get(key(1), std::numeric_limits<int64_t>::max()));
}

TEST_F(ResponseCacheTest, AnAnswerFromTheSharedTierKeepsItsAgeAndEarlierExpiry) {
  CachedAnswer shared = answer_with(kBody);
  shared.stored_ms = kStart - 4'000;
  shared.expires_ms = kStart + 2'000;
  cache.put(key(1), shared, settings(16, 300), "");
  auto hit = cache.get(key(1));
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->stored_ms, kStart - 4'000);
  EXPECT_EQ(hit->expires_ms, kStart + 2'000);
  EXPECT_FALSE(cache.get(key(1), 3));
  now += 2'000;
  EXPECT_FALSE(has(key(1)));
  // One that expires later than this cache's TTL is kept for the TTL only.
  shared.expires_ms = now + 1'000'000;
  cache.put(key(2), shared, settings(16, 10), "");
  EXPECT_EQ(cache.get(key(2))->expires_ms, now + 10'000);
  // One already expired is not kept.
  shared.expires_ms = now;
  cache.put(key(3), shared, settings(16), "");
  EXPECT_FALSE(has(key(3)));
}

TEST_F(ResponseCacheTest, PutReplacesTheAnswerUnderAKeyEvenInAnotherPartition) {
  cache.put(key(1), answer_with("first"), settings(16), "");
  cache.put(key(1), answer_with("second"), settings(16), "gpt-4o");
  EXPECT_EQ(cache.get(key(1))->body, "second");
  const auto stats = cache.stats();
  EXPECT_EQ(stats.entries, 1u);
  EXPECT_EQ(stats.bytes, answer_with("second").bytes() + key(1).size());
  EXPECT_EQ(stats.stores, 2u);
  EXPECT_EQ(stats.evictions, 0u);
}

TEST_F(ResponseCacheTest, CountsHitsMissesAndStores) {
  cache.put(key(1), answer_with("a"), settings(16), "");
  cache.put(key(2), answer_with("b"), settings(16), "");
  cache.get(key(1));
  cache.get(key(1));
  cache.get(key(3));
  cache.get(key(2), 0);
  const auto stats = cache.stats();
  EXPECT_EQ(stats.hits, 2u);
  EXPECT_EQ(stats.misses, 2u);
  EXPECT_EQ(stats.stores, 2u);
  EXPECT_EQ(stats.entries, 2u);
  EXPECT_EQ(stats.bytes, answer_with("a").bytes() + answer_with("b").bytes() + 2 * key(1).size());
}

TEST_F(ResponseCacheTest, KeepsNoAnswerForAPartitionPastTheBound) {
  for (std::size_t i = 0; i < ResponseCache::kMaxPartitions; ++i)
    cache.put(key(static_cast<int>(i)), answer_with("a"), settings(16), "model-" + std::to_string(i));
  cache.put("one-more", answer_with("a"), settings(16), "model-x");
  EXPECT_FALSE(has("one-more"));
  // An existing partition still takes answers.
  cache.put("same-partition", answer_with("a"), settings(16), "model-0");
  EXPECT_TRUE(has("same-partition"));
  // A partition left empty no longer counts.
  now += 300'000;
  EXPECT_FALSE(has(key(5)));
  cache.put("one-more", answer_with("a"), settings(16), "model-x");
  EXPECT_TRUE(has("one-more"));
}

TEST(BodyFor, ReplacesEveryOccurrenceOfTheGenerationId) {
  CachedAnswer answer = answer_with(
      "data: {\"id\":\"gen_01J00000000000000000000000\"}\n\ndata: {\"id\":\"gen_01J00000000000000000000000\"}\n\n");
  EXPECT_EQ(
      body_for(answer, "gen_01JZZZZZZZZZZZZZZZZZZZZZZZ"),
      "data: {\"id\":\"gen_01JZZZZZZZZZZZZZZZZZZZZZZZ\"}\n\ndata: {\"id\":\"gen_01JZZZZZZZZZZZZZZZZZZZZZZZ\"}\n\n");
  EXPECT_EQ(answer.body.find("ZZZ"), std::string::npos);  // the kept answer is unchanged
}

TEST(BodyFor, LeavesTheBodyAsItIsWhenTheIdsDifferInLengthOrThereIsNone) {
  CachedAnswer answer = answer_with("{\"id\":\"gen_01J00000000000000000000000\"}");
  EXPECT_EQ(body_for(answer, "gen_short"), answer.body);
  answer.generation_id.clear();
  EXPECT_EQ(body_for(answer, ""), answer.body);
  EXPECT_EQ(body_for(answer_with("{}"), "gen_01JZZZZZZZZZZZZZZZZZZZZZZZ"), "{}");
}

CachedAnswer full_answer() {
  CachedAnswer answer = answer_with(std::string("data: {\"a\":1}\n\n\0\xff", 17));
  answer.streamed = true;
  answer.content_type = "text/event-stream; charset=utf-8";
  answer.stored_ms = kStart;
  answer.expires_ms = kStart + 300'000;
  return answer;
}

void expect_same(const CachedAnswer& a, const CachedAnswer& b) {
  EXPECT_EQ(a.body, b.body);
  EXPECT_EQ(a.streamed, b.streamed);
  EXPECT_EQ(a.content_type, b.content_type);
  EXPECT_EQ(a.generation_id, b.generation_id);
  EXPECT_EQ(a.provider, b.provider);
  EXPECT_EQ(a.model_id, b.model_id);
  EXPECT_EQ(a.upstream_model, b.upstream_model);
  EXPECT_EQ(a.cost, b.cost);
  EXPECT_EQ(a.stored_ms, b.stored_ms);
  EXPECT_EQ(a.expires_ms, b.expires_ms);
}

TEST(AnswerBytes, RoundTrip) {
  const CachedAnswer answer = full_answer();
  auto back = answer_from_bytes(to_bytes(answer));
  ASSERT_TRUE(back);
  expect_same(*back, answer);

  CachedAnswer unpriced = answer_with("");
  unpriced.cost.reset();
  auto unpriced_back = answer_from_bytes(to_bytes(unpriced));
  ASSERT_TRUE(unpriced_back);
  expect_same(*unpriced_back, unpriced);

  CachedAnswer free_answer = answer_with("{}");
  free_answer.cost = 0.0;
  EXPECT_EQ(answer_from_bytes(to_bytes(free_answer))->cost, 0.0);
}

TEST(AnswerBytes, EveryTruncationIsRefused) {
  const std::string bytes = to_bytes(full_answer());
  for (std::size_t length = 0; length < bytes.size(); ++length)
    EXPECT_FALSE(answer_from_bytes(std::string_view(bytes).substr(0, length))) << length;
  EXPECT_FALSE(answer_from_bytes(bytes + '\0'));  // nor anything after the answer
}

TEST(AnswerBytes, AnotherVersionOrUnknownFlagsAreRefused) {
  std::string bytes = to_bytes(full_answer());
  bytes[0] = 2;
  EXPECT_FALSE(answer_from_bytes(bytes));
  bytes[0] = 1;
  ASSERT_TRUE(answer_from_bytes(bytes));
  bytes[1] = static_cast<char>(bytes[1] | 4);
  EXPECT_FALSE(answer_from_bytes(bytes));
  EXPECT_FALSE(answer_from_bytes("{\"body\":\"not our encoding\"}"));
}

TEST(AnswerBytes, HugeLengthsAreRefusedWithoutReadingPastTheEnd) {
  const std::string bytes = to_bytes(full_answer());
  constexpr std::size_t kBodyLengthAt = 26;  // after version, flags, cost, stored_ms, expires_ms
  for (const char* length : {"\xff\xff\xff\xff", "\x00\x00\x00\x80", "\x12\x00\x00\x00"}) {
    std::string changed = bytes;
    changed.replace(kBodyLengthAt, 4, length, 4);
    EXPECT_FALSE(answer_from_bytes(changed));
  }
  // A NaN cost is not a price.
  CachedAnswer answer = full_answer();
  answer.cost = std::nan("");
  EXPECT_FALSE(answer_from_bytes(to_bytes(answer)));
}

TEST(AnswerBytes, NoByteFlipCrashesTheReader) {
  const std::string bytes = to_bytes(full_answer());
  for (std::size_t at = 0; at < bytes.size(); ++at) {
    for (unsigned char value : {0x00, 0x01, 0x7f, 0x80, 0xff}) {
      std::string changed = bytes;
      changed[at] = static_cast<char>(value);
      auto answer = answer_from_bytes(changed);
      if (answer) {
        EXPECT_LE(answer->body.size(), changed.size());
      }
    }
  }
}

}  // namespace
