#include "storage/record_codec.h"

#include <gtest/gtest.h>

#include <limits>

#include "storage/format1_block.h"
#include "storage/record_store.h"

using namespace switchyard;

namespace {

UsageRecord sample(int n) {
  UsageRecord r;
  r.id = "gen_01KAV3C8Y2Q6X4M9TNZ0R5B7C" + std::to_string(n % 10);
  r.created_ms = 1795500000000 + n;
  r.team = "acme";
  r.key_id = "k1";
  r.user = n % 2 ? "ana" : "";
  r.use_case = "agent";
  r.endpoint = "/v1/chat/completions";
  r.tags = {"checkout", "beta"};
  r.model_requested = r.model = "r/chat";
  r.provider = "anthropic";
  r.upstream_model = "claude-sonnet-4-5";
  r.streamed = n % 3 == 0;
  r.finish_reason = "tool_calls";
  r.input_tokens = 1200 + n;
  r.output_tokens = 350;
  r.cache_read_tokens = 1000;
  r.cache_write_tokens = 64;
  r.reasoning_tokens = 128;
  if (n % 4) r.cost = 0.00885 * n;  // every fourth unpriced: null, not 0
  r.byok = n % 5 == 0;
  if (n % 2) r.ttft_ms = 420;
  r.latency_ms = 2100;
  r.status = n % 7 ? 200 : 502;
  r.error = n % 7 ? "" : "upstream answered 503: \"overloaded\" — ünïcode";
  r.attempts = {{"openai", "gpt-4o", "r/chat", false, 503, "overloaded", r.created_ms - 1, r.created_ms + 40}};
  if (n % 2) {
    r.attempts.push_back(
        {"anthropic", "claude-sonnet-4-5", "r/chat", true, 200, "", r.created_ms + 41, r.created_ms + 2100});
    // It continued the stream OpenAI's attempt had begun (0: cut before any text).
    if (n % 3 == 1) r.attempts.back().continued_at = n == 7 ? 0 : 512 + n;
  }
  if (n % 6 == 4) {  // served from the response cache: no attempt, nothing spent
    r.cache_hit = true;
    r.attempts.clear();
    r.cost = 0;
    if (n % 12 == 4) r.saved_cost = 0.004 * n;  // else the kept answer was unpriced
  }
  return r;
}

std::vector<std::string> lines(const std::vector<UsageRecord>& records) {
  std::vector<std::string> out;
  for (const auto& r : records) out.push_back(record_json_line(r));
  return out;
}

std::vector<UsageRecord> decoded(const EncodedRecords& encoded) {
  std::vector<UsageRecord> out;
  decode_records(encoded.bytes, out);
  return out;
}

}  // namespace

TEST(RecordCodec, RecordsComeBackFieldForField) {
  std::vector<UsageRecord> records;
  EncodedRecords encoded;
  for (int n = 0; n < 30; ++n) {
    records.push_back(sample(n));
    encoded.add(records.back());
  }
  EXPECT_EQ(encoded.count, 30u);
  EXPECT_EQ(encoded.first_ms, 1795500000000);
  EXPECT_EQ(encoded.last_ms, 1795500000029);
  EXPECT_EQ(lines(decoded(encoded)), lines(records));
  // Texts repeated from the record before are a byte each: far less than each record alone.
  std::size_t alone = 0;
  for (const auto& r : records) {
    EncodedRecords one;
    one.add(r);
    alone += one.bytes.size() - 1;
  }
  EXPECT_LT(encoded.bytes.size(), alone * 6 / 10);
}

TEST(RecordCodec, AVectorReusedAcrossBlocksHoldsOnlyTheLastBlock) {
  EncodedRecords big, small;
  for (int n = 0; n < 5; ++n) big.add(sample(n));
  small.add(sample(7));
  std::vector<UsageRecord> into;
  decode_records(big.bytes, into);
  decode_records(small.bytes, into);
  EXPECT_EQ(lines(into), lines({sample(7)}));
}

TEST(RecordCodec, BatchesJoinedBackToBackDecodeAsBoth) {
  // Each batch's repeats refer to its own records; after joining, records added to the joined
  // batch must not refer to texts of the batch before the join.
  EncodedRecords first, second;
  std::vector<UsageRecord> expected;
  for (int n = 0; n < 3; ++n) first.add(sample(n)), expected.push_back(sample(n));
  UsageRecord other = sample(3);
  other.team = "globex";
  other.endpoint = "/v1/messages";
  for (int n = 0; n < 3; ++n) second.add(other), expected.push_back(other);
  first.add(second);
  first.add(sample(9));
  expected.push_back(sample(9));
  EXPECT_EQ(first.count, 7u);
  EXPECT_EQ(lines(decoded(first)), lines(expected));
}

TEST(RecordCodec, TheCacheAndContinuationFieldsRoundTrip) {
  const UsageRecord hit = sample(4), unpriced_hit = sample(10), continued = sample(7), plain = sample(2);
  ASSERT_TRUE(hit.cache_hit && hit.saved_cost && unpriced_hit.cache_hit && !unpriced_hit.saved_cost);
  ASSERT_TRUE(continued.attempts.at(1).continued_at == 0 && !plain.cache_hit);
  EncodedRecords encoded;
  for (const auto* r : {&hit, &unpriced_hit, &continued, &plain}) encoded.add(*r);
  auto back = decoded(encoded);
  ASSERT_EQ(back.size(), 4u);
  EXPECT_TRUE(back[0].cache_hit);
  EXPECT_EQ(back[0].saved_cost, hit.saved_cost);
  EXPECT_TRUE(back[1].cache_hit);
  EXPECT_FALSE(back[1].saved_cost) << "an unpriced kept answer saved an unknown cost, not 0";
  EXPECT_EQ(back[2].attempts.at(0).continued_at, std::nullopt);
  EXPECT_EQ(back[2].attempts.at(1).continued_at, 0) << "continued before any text is not 'not continued'";
  EXPECT_FALSE(back[3].cache_hit);
  EXPECT_EQ(lines(back), lines({hit, unpriced_hit, continued, plain}));
}

TEST(RecordCodec, ABlockWrittenBeforeTheResponseCacheReadsAsNoHitsAndNoContinuations) {
  // Decoded into records that held a hit and a continued attempt: none of that may stay.
  std::vector<UsageRecord> into;
  EncodedRecords newer;
  newer.add(sample(4));
  newer.add(sample(7));
  decode_records(newer.bytes, into);
  ASSERT_TRUE(into[0].cache_hit && into[1].attempts.at(1).continued_at);
  decode_records(switchyard::testing::format1_block(), into);
  EXPECT_EQ(lines(into), lines(switchyard::testing::format1_records()));
  EXPECT_FALSE(into[0].cache_hit);
  EXPECT_FALSE(into[0].saved_cost);
  EXPECT_FALSE(into[1].attempts.at(1).continued_at);
  // Views decode it alike.
  std::vector<RecordView> views(2);
  views[0].cache_hit = true;
  views[1].saved_cost = 1;
  const std::string block = switchyard::testing::format1_block();
  EXPECT_EQ(RecordDecoder(block).next(views, 10), 2u);
  EXPECT_EQ(views[1].id, "gen_01M8627GR1Q6X4M9TNZ0R5B7C1");
  EXPECT_FALSE(views[0].cache_hit);
  EXPECT_FALSE(views[1].saved_cost);
}

TEST(RecordCodec, DamagedOrForeignBytesAreAnErrorNotGarbage) {
  EncodedRecords encoded;
  encoded.add(sample(1));
  std::vector<UsageRecord> out;
  EXPECT_THROW(decode_records(std::string_view(encoded.bytes).substr(0, encoded.bytes.size() - 3), out), StoreError);
  std::string foreign = encoded.bytes;
  foreign[0] = 9;
  EXPECT_THROW(decode_records(foreign, out), StoreError);
  EXPECT_THROW(decode_records("", out), StoreError);
}

TEST(RecordCodec, ABatchSpansAtMostTenMinutes) {
  EncodedRecords encoded;
  EXPECT_TRUE(encoded.fits(0, 0));
  UsageRecord r = sample(0);
  encoded.add(r);
  EXPECT_TRUE(encoded.fits(r.created_ms + EncodedRecords::kMaxSpanMs, r.created_ms + EncodedRecords::kMaxSpanMs));
  EXPECT_FALSE(
      encoded.fits(r.created_ms + EncodedRecords::kMaxSpanMs + 1, r.created_ms + EncodedRecords::kMaxSpanMs + 1));
  EXPECT_FALSE(encoded.fits(r.created_ms - EncodedRecords::kMaxSpanMs - 1, r.created_ms));
}

TEST(RecordCodec, AttemptTimesFarFromTheRecordsRoundTripWithoutOverflow) {
  // Found by record_decoder_fuzz: times are stored relative to the record's, and a difference
  // (or damaged bytes) could overflow a signed sum. An imported record may carry any times.
  UsageRecord r = sample(1);
  r.created_ms = std::numeric_limits<int64_t>::max() - 5;
  r.attempts[0].start_ms = std::numeric_limits<int64_t>::min() + 3;
  r.attempts[0].end_ms = 0;
  EncodedRecords encoded;
  encoded.add(r);
  EXPECT_EQ(lines(decoded(encoded)), lines({r}));
}
