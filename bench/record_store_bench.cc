// Sustained records/s into a store through the recorder's path: each record encoded as a request's
// thread does (record_codec.h), batches appended by one thread as the recorder's writer does.
// Usage: record_store_bench STORAGE_URL [RECORDS] [BATCH]
#include <chrono>
#include <cstdio>
#include <string>

#include "core/request_id.h"
#include "storage/record_store.h"
#include "typical_record.h"

using namespace switchyard;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: record_store_bench sqlite:PATH|postgres://... [records] [batch]\n");
    return 2;
  }
  const std::size_t total = argc > 2 ? std::stoul(argv[2]) : 200000;
  const std::size_t batch_size = argc > 3 ? std::stoul(argv[3]) : 1000;
  auto store = open_store(argv[1]);
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  std::vector<UsageRecord> batch(batch_size, typical_record(now_ms));
  EncodedRecords encoded;
  auto start = std::chrono::steady_clock::now();
  for (std::size_t written = 0; written < total; written += batch_size) {
    encoded.clear();
    for (std::size_t i = 0; i < batch_size; ++i) {
      batch[i].id = "gen_" + format_ulid(static_cast<uint64_t>(now_ms) + written + i, 0, written + i);
      batch[i].created_ms = now_ms + static_cast<int64_t>(written + i);
      encoded.add(batch[i]);
    }
    store->append(encoded);
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%s: %zu records in batches of %zu: %.2f s, %.0f records/s\n", store->describe().c_str(), total,
              batch_size, seconds, total / seconds);
}
