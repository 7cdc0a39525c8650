// Feeds synthetic records (no HTTP) into the insights rollup: records/s, peak memory, cells, and
// the time to compute every insights figure from the rollup.
// Usage: rollup_bench [RECORDS=100000000] [TEAMS=200000] [DAYS=30]
#include <sys/resource.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>

#include "analytics/insights.h"

using namespace switchyard;

int main(int argc, char** argv) {
  const int64_t total = argc > 1 ? std::stoll(argv[1]) : 100'000'000;
  const int teams = argc > 2 ? std::stoi(argv[2]) : 200'000;
  const int days = argc > 3 ? std::stoi(argv[3]) : 30;
  const char* models[][3] = {{"openai", "r/gpt-5", "gpt-5"}, {"openai", "r/gpt-5-mini", "gpt-5-mini"},
                             {"openai", "r/gpt-4o-mini", "gpt-4o-mini"}, {"anthropic", "r/sonnet", "claude-sonnet-4-5"},
                             {"anthropic", "r/sonnet-old", "claude-sonnet-4"}, {"anthropic", "r/haiku", "claude-haiku-4-5"},
                             {"google", "r/flash", "gemini-2.5-flash"}, {"google", "r/pro", "gemini-2.5-pro"},
                             {"xai", "r/grok", "grok-code-fast-1"}, {"deepseek", "r/deepseek", "deepseek-chat"},
                             {"groq", "r/llama", "llama-3.3-70b"}, {"moonshot", "r/kimi", "kimi-k2"}};
  const int n_models = sizeof(models) / sizeof(models[0]);
  const char* use_cases[] = {"chat", "agent", "summarize", "classify", "extract"};
  std::vector<std::string> team_names;
  for (int i = 0; i < teams; ++i) team_names.push_back("team-" + std::to_string(i));

  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> u(0, 1);
  const int64_t start_ms = 1'790'000'000'000;
  UsageRecord r;
  r.attempts.resize(1);
  Rollup rollup;
  auto begin = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < total; ++i) {
    // Team sizes span decades: a power law over team ranks.
    r.team = team_names[static_cast<std::size_t>(std::pow(u(rng), 3.0) * teams)];
    const auto& m = models[static_cast<int>(std::pow(u(rng), 1.5) * n_models)];
    r.provider = m[0];
    r.model = m[1];
    r.upstream_model = m[2];
    r.use_case = use_cases[i % 5];
    r.created_ms = start_ms + static_cast<int64_t>(u(rng) * days * 86'400'000.0);
    bool agentic = u(rng) < 0.22;
    r.finish_reason = agentic ? "tool_calls" : "stop";
    r.input_tokens = agentic ? 3000 : 400;
    r.output_tokens = agentic ? 300 : 150;
    r.cost = (r.input_tokens * 1.0 + r.output_tokens * 4.0) / 1e6;
    r.status = u(rng) < 0.01 ? 502 : 200;
    r.attempts.resize(u(rng) < 0.035 ? 2 : 1);
    for (auto& a : r.attempts) {
      a.provider = m[0];
      a.success = true;
    }
    if (r.attempts.size() == 2) r.attempts[0].success = false;
    rollup.add(r);
  }
  double feed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  begin = std::chrono::steady_clock::now();
  Insights in = compute_insights(rollup, {});
  double query_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  std::printf("%lld records from %d teams over %d days: fed in %.1f s (%.2f M records/s), %zu cells, peak RSS %ld MB\n",
              static_cast<long long>(total), teams, days, feed_s, total / feed_s / 1e6, rollup.cells.size(), usage.ru_maxrss / 1024);
  std::printf("every insights figure from the rollup: %.3f s (requests %lld, rescue rate %.4f, agentic share %.4f)\n", query_s,
              static_cast<long long>(in.requests), in.rescue_request_rate, in.agentic_request_share);
}
