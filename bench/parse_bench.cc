// What the gateway spends on a request body before it goes upstream: validation, the reads
// it needs, and the model splice. Run: build/bench/parse_bench
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>

#include "translate/openai_request.h"

namespace {

std::string load(const char* name) {
  std::ifstream in(std::string(SWITCHYARD_FIXTURES) + "/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A long conversation: the recorded request with its messages repeated to ~`bytes`.
std::string conversation(std::size_t bytes) {
  std::string turn = R"({"role":"user","content":"Summarise the quarterly report and list the three largest risks, with numbers."},)";
  std::string body = R"({"model":"acme/chat","stream":true,"messages":[)";
  while (body.size() < bytes) body += turn;
  body.back() = ']';
  return body + "}";
}

void BM_ParseRecordedRequest(benchmark::State& state) {
  const std::string original = load("openai/chat_request_tools.json");
  for (auto _ : state) {
    std::string body = original;
    auto view = switchyard::parse_openai_request(body, switchyard::OpenAIEndpoint::chat_completions);
    benchmark::DoNotOptimize(view);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * original.size()));
}
BENCHMARK(BM_ParseRecordedRequest);

void BM_ParseAndSplice(benchmark::State& state) {
  const std::string original = conversation(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    std::string body = original;
    auto result = switchyard::parse_openai_request(body, switchyard::OpenAIEndpoint::chat_completions);
    auto spliced = switchyard::splice_model(body, std::get<switchyard::RequestView>(result), "gpt-4o-mini");
    benchmark::DoNotOptimize(spliced);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * original.size()));
}
BENCHMARK(BM_ParseAndSplice)->Arg(1 << 10)->Arg(32 << 10)->Arg(1 << 20);

}  // namespace

BENCHMARK_MAIN();
