// What a record costs on each side (Google Benchmark): encoding it on the request's thread, and
// decoding it on the writer's for metrics and rollup. The request's share is the one that counts
// against throughput on a saturated core (bench/run, "Accounting").
#include <benchmark/benchmark.h>

#include "storage/record_codec.h"
#include "typical_record.h"

using namespace switchyard;

namespace {

void BM_EncodeRecord(benchmark::State& state) {
  // Records of consecutive requests (ids and times differ), encoded by the code that encodes the
  // request's view.
  std::vector<UsageRecord> records;
  for (int i = 0; i < 256; ++i) records.push_back(typical_record(1795500000000 + i));
  EncodedRecords lane;
  for (auto _ : state) {
    if (lane.count == records.size()) lane.clear();  // handed over whole, as a lane is
    lane.add(records[lane.count]);
  }
  state.counters["bytes/record"] = static_cast<double>(lane.bytes.size() - 1) / static_cast<double>(lane.count);
}
BENCHMARK(BM_EncodeRecord);

void BM_DecodeRecordViews(benchmark::State& state) {
  EncodedRecords block;
  for (int i = 0; i < 1000; ++i) block.add(typical_record(1795500000000 + i));
  std::vector<RecordView> views;
  for (auto _ : state) {
    RecordDecoder decoder(block.bytes);
    while (decoder.next(views, 64)) benchmark::DoNotOptimize(views.data());
  }
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_DecodeRecordViews);

}  // namespace

BENCHMARK_MAIN();
