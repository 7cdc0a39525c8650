// Feeds synthetic records (no HTTP) into the insights rollup: records/s, peak memory, cells, and
// the time to compute every insights figure from it for a month, a week and a day.
// Usage: rollup_bench [RECORDS=100000000] [TEAMS=200000] [DAYS=30]
//
// The traffic: team sizes follow a power law over ranks (the biggest team sends ~1% of all
// requests, most teams a few dozen a month); a team uses more models the more it sends (1 at a
// handful of requests, up to 35 at millions, as in the public gateway report), drawn from a
// catalogue of 36 models of 12 labs with a skew towards its first ones; 22% of requests end in a
// tool call, 3.5% are rescued by a fallback, 1% fail; records come in time order, as they do.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>

#include "analytics/insights.h"

using namespace switchyard;

namespace {

struct Model {
  const char *provider, *id, *upstream;
};
const Model kModels[] = {
    {"openai", "openai/gpt-5", "gpt-5"},
    {"openai", "openai/gpt-5-mini", "gpt-5-mini"},
    {"openai", "openai/gpt-5-nano", "gpt-5-nano"},
    {"openai", "openai/gpt-4.1", "gpt-4.1"},
    {"openai", "openai/gpt-4o-mini", "gpt-4o-mini"},
    {"openai", "openai/o3", "o3"},
    {"openai", "openai/text-embedding-3-small", "text-embedding-3-small"},
    {"anthropic", "anthropic/sonnet-4.5", "claude-sonnet-4-5"},
    {"anthropic", "anthropic/sonnet-4", "claude-sonnet-4"},
    {"anthropic", "anthropic/opus-4.1", "claude-opus-4-1"},
    {"anthropic", "anthropic/haiku-4.5", "claude-haiku-4-5"},
    {"anthropic", "anthropic/haiku-3.5", "claude-3-5-haiku"},
    {"google", "google/gemini-2.5-flash", "gemini-2.5-flash"},
    {"google", "google/gemini-2.5-pro", "gemini-2.5-pro"},
    {"google", "google/gemini-2.0-flash", "gemini-2.0-flash"},
    {"google", "google/gemini-2.5-flash-lite", "gemini-2.5-flash-lite"},
    {"xai", "xai/grok-4", "grok-4"},
    {"xai", "xai/grok-code-fast-1", "grok-code-fast-1"},
    {"xai", "xai/grok-3-mini", "grok-3-mini"},
    {"deepseek", "deepseek/v3.1", "deepseek-chat"},
    {"deepseek", "deepseek/r1", "deepseek-reasoner"},
    {"moonshot", "moonshot/kimi-k2", "kimi-k2"},
    {"minimax", "minimax/m2", "minimax-m2"},
    {"zai", "zai/glm-4.6", "glm-4.6"},
    {"zai", "zai/glm-4.5", "glm-4.5"},
    {"groq", "groq/llama-3.3-70b", "llama-3.3-70b-versatile"},
    {"groq", "groq/llama-3.1-8b", "llama-3.1-8b-instant"},
    {"together", "together/qwen3-235b", "qwen3-235b-a22b"},
    {"together", "together/qwen3-coder", "qwen3-coder-480b"},
    {"together", "together/llama-4-maverick", "llama-4-maverick"},
    {"mistral", "mistral/large", "mistral-large-2411"},
    {"mistral", "mistral/small", "mistral-small-2506"},
    {"mistral", "mistral/codestral", "codestral-2508"},
    {"fireworks", "fireworks/gpt-oss-120b", "gpt-oss-120b"},
    {"fireworks", "fireworks/gpt-oss-20b", "gpt-oss-20b"},
    {"cohere", "cohere/command-a", "command-a-03-2025"},
};
constexpr int kModelCount = sizeof(kModels) / sizeof(kModels[0]);

double seconds_since(std::chrono::steady_clock::time_point begin) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t total = argc > 1 ? std::stoll(argv[1]) : 100'000'000;
  const int teams = argc > 2 ? std::stoi(argv[2]) : 200'000;
  const int days = argc > 3 ? std::stoi(argv[3]) : 30;
  const char* use_cases[] = {"chat", "agent", "summarize", "classify", "extract", "search", "vision"};
  // Team of rank r is drawn with probability ((r+1)/T)^(1/3) - (r/T)^(1/3): u^3 * T.
  std::vector<std::string> team_names;
  std::vector<int> team_models, team_first;
  for (int r = 0; r < teams; ++r) {
    team_names.push_back("team-" + std::to_string(r));
    double expected = total * (std::cbrt((r + 1.0) / teams) - std::cbrt(static_cast<double>(r) / teams));
    team_models.push_back(std::clamp(static_cast<int>(1 + 5 * std::log10(1 + expected / 10)), 1, 35));
    team_first.push_back(static_cast<int>((r * 7919L) % kModelCount));
  }

  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> u(0, 1);
  const int64_t start_ms = 1'790'000'000'000;  // 2026-09-21
  const double step_ms = days * 86'400'000.0 / static_cast<double>(total);
  UsageRecord r;
  Rollup rollup;
  auto begin = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < total; ++i) {
    auto team = static_cast<std::size_t>(std::pow(u(rng), 3.0) * teams);
    const Model& m =
        kModels[(team_first[team] + static_cast<int>(std::pow(u(rng), 2.0) * team_models[team])) % kModelCount];
    r.team = team_names[team];
    r.provider = m.provider;
    r.model = m.id;
    r.upstream_model = m.upstream;
    r.use_case = use_cases[i % 7];
    r.created_ms = start_ms + static_cast<int64_t>(static_cast<double>(i) * step_ms);
    bool agentic = u(rng) < 0.22;
    r.finish_reason = agentic ? "tool_calls" : "stop";
    r.input_tokens = agentic ? 6000 : 500;
    r.output_tokens = agentic ? 400 : 150;
    r.cost = (static_cast<double>(r.input_tokens) * 1.25 + static_cast<double>(r.output_tokens) * 10.0) / 1e6;
    double fate = u(rng);
    r.status = fate < 0.01 ? 502 : 200;
    r.attempts.resize(fate < 0.01 ? 1 : fate < 0.045 ? 2 : 1);
    for (auto& a : r.attempts) {
      a.provider = m.provider;
      a.success = r.status == 200;
    }
    if (r.attempts.size() == 2) r.attempts[0].provider = "backup", r.attempts[0].success = false;
    rollup.add(r);
  }
  double feed_s = seconds_since(begin);
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf(
      "%lld records from %d teams over %d days: fed in %.1f s (%.2f M records/s); %zu cells, %zu team cells; peak RSS "
      "%ld MB\n",
      static_cast<long long>(total), teams, days, feed_s, static_cast<double>(total) / feed_s / 1e6,
      rollup.cell_count(), rollup.team_cell_count(), usage.ru_maxrss / 1024);
  const int64_t first_day = start_ms / kDayMs;
  for (int window : {days, 7, 1}) {
    DayWindow w{0, 0, first_day + days - window, first_day + days - 1};
    begin = std::chrono::steady_clock::now();
    Insights in = compute_insights(rollup, {}, w);
    std::printf(
        "every insights figure for the last %d day(s): %.3f s (requests %lld, rescue rate %.4f, agentic share %.4f, "
        "%zu volume buckets)\n",
        window, seconds_since(begin), static_cast<long long>(in.requests), in.rescue_request_rate,
        in.agentic_request_share, in.models_per_team.size());
  }
}
