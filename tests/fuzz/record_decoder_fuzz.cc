// libFuzzer: arbitrary bytes as a stored record block (storage/record_codec). Damage must be
// refused with a StoreError, never a crash or a read outside the block; and whatever decodes
// encodes again to a block that decodes to the same records.
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "storage/record_codec.h"
#include "storage/record_store.h"

using namespace switchyard;

namespace {

template <class A, class B>
bool same_texts(const std::vector<A>& a, const std::vector<B>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::string_view(a[i]) != std::string_view(b[i])) return false;
  return true;
}

bool same_cost(const std::optional<double>& a, const std::optional<double>& b) {
  return a.has_value() == b.has_value() && (!a || std::memcmp(&*a, &*b, sizeof(double)) == 0);  // NaN too
}

template <class A, class B>
bool same(const A& a, const B& b) {
  auto sv = [](const auto& text) { return std::string_view(text); };
  if (sv(a.id) != sv(b.id) || a.created_ms != b.created_ms || sv(a.team) != sv(b.team) ||
      sv(a.key_id) != sv(b.key_id) || sv(a.user) != sv(b.user) || sv(a.use_case) != sv(b.use_case) ||
      sv(a.endpoint) != sv(b.endpoint) || !same_texts(a.tags, b.tags) ||
      sv(a.model_requested) != sv(b.model_requested) || sv(a.model) != sv(b.model) ||
      sv(a.provider) != sv(b.provider) || sv(a.upstream_model) != sv(b.upstream_model) || a.streamed != b.streamed ||
      sv(a.finish_reason) != sv(b.finish_reason) || a.input_tokens != b.input_tokens ||
      a.output_tokens != b.output_tokens || a.cache_read_tokens != b.cache_read_tokens ||
      a.cache_write_tokens != b.cache_write_tokens || a.reasoning_tokens != b.reasoning_tokens ||
      !same_cost(a.cost, b.cost) || a.byok != b.byok || a.ttft_ms != b.ttft_ms || a.latency_ms != b.latency_ms ||
      a.status != b.status || sv(a.error) != sv(b.error) || a.attempts.size() != b.attempts.size())
    return false;
  for (std::size_t i = 0; i < a.attempts.size(); ++i) {
    const auto& x = a.attempts[i];
    const auto& y = b.attempts[i];
    if (sv(x.provider) != sv(y.provider) || sv(x.model) != sv(y.model) || sv(x.model_id) != sv(y.model_id) ||
        x.success != y.success || x.status != y.status || sv(x.error) != sv(y.error) || x.start_ms != y.start_ms ||
        x.end_ms != y.end_ms)
      return false;
  }
  return true;
}

// The whole block as owned records, or false when it is refused.
bool decode_all(std::string_view block, std::vector<UsageRecord>& out) {
  try {
    decode_records(block, out);
    return true;
  } catch (const StoreError&) {
    return false;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The block in a buffer of its own size, so ASan sees any read past its end.
  std::vector<char> buffer(data, data + size);
  std::string_view block(buffer.data(), buffer.size());

  std::vector<UsageRecord> records;
  const bool whole = decode_all(block, records);

  // The same block as views, a few records at a time into a reused vector, as the writer reads.
  std::vector<RecordView> views;
  std::size_t seen = 0;
  bool views_whole = true;
  try {
    RecordDecoder decoder(block);
    const std::size_t most = 1 + size % 3;
    for (std::size_t n; (n = decoder.next(views, most)) > 0; seen += n) {
      FUZZ_CHECK(n <= most && views.size() >= n);
      for (std::size_t i = 0; i < n; ++i)
        FUZZ_CHECK(!whole || (seen + i < records.size() && same(views[i], records[seen + i])));
    }
  } catch (const StoreError&) {
    views_whole = false;
  }
  FUZZ_CHECK(whole == views_whole);
  if (!whole) return 0;
  FUZZ_CHECK(seen == records.size());

  // What decodes encodes again, to the same records.
  EncodedRecords encoded;
  for (const auto& record : records) encoded.add(record);
  FUZZ_CHECK(encoded.count == records.size());
  std::vector<UsageRecord> again;
  FUZZ_CHECK(decode_all(encoded.bytes, again));
  FUZZ_CHECK(again.size() == records.size());
  for (std::size_t i = 0; i < records.size(); ++i) FUZZ_CHECK(same(again[i], records[i]));
  return 0;
}
