// What a record costs on each side (Google Benchmark): encoding it on the request's thread, and
// decoding it on the writer's for metrics and rollup. The request's share is the one that counts
// against throughput on a saturated core (bench/run, "Accounting").
#include <benchmark/benchmark.h>

#include "core/request_id.h"
#include "storage/record_codec.h"

using namespace switchyard;

namespace {

// A typical record: a rescued request with tags, priced, as views of the request's texts.
struct Typical {
  std::string id = "gen_" + format_ulid(1795500000000, 0x1234, 0x9abcdef012345678);
  std::string error = "upstream answered 503";
  RecordView view;
  Typical() {
    view.id = id;
    view.created_ms = 1795500000000;
    view.team = "acme";
    view.key_id = "0a1b2c3d";
    view.endpoint = "/v1/chat/completions";
    view.tags = {"checkout", "beta"};
    view.model_requested = view.model = "r/chat";
    view.provider = "anthropic";
    view.upstream_model = "claude-sonnet-4-5";
    view.finish_reason = "stop";
    view.input_tokens = 1200;
    view.output_tokens = 350;
    view.cost = 0.00885;
    view.ttft_ms = 420;
    view.latency_ms = 2100;
    view.status = 200;
    view.attempts = {{"openai", "gpt-4o", "r/chat", false, 503, error, 1795500000000, 1795500000040},
                     {"anthropic", "claude-sonnet-4-5", "r/chat", true, 200, "", 1795500000041, 1795500002100}};
  }
};

void BM_EncodeRecord(benchmark::State& state) {
  Typical typical;
  EncodedRecords lane;
  for (auto _ : state) {
    if (lane.count == 256) lane.clear();  // handed over whole, as a lane is
    lane.add(typical.view);
  }
  state.counters["bytes/record"] = static_cast<double>(lane.bytes.size() - 1) / static_cast<double>(lane.count);
}
BENCHMARK(BM_EncodeRecord);

void BM_DecodeRecordViews(benchmark::State& state) {
  Typical typical;
  EncodedRecords block;
  for (int i = 0; i < 1000; ++i) block.add(typical.view);
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
