#include "cli/report_command.h"

#include <fmt/format.h>
#include <cstdio>

#include "analytics/insights.h"
#include "cli/command_inputs.h"

namespace switchyard {
namespace {

constexpr std::size_t kPage = 100000;

void print_shares(const char* title, const std::vector<ShareRow>& rows) {
  fmt::print("\n{}\n{:<32} {:>10} {:>14} {:>12} {:>8} {:>8} {:>12}\n", title, "", "requests", "tokens", "cost $",
             "tokens%", "spend%", "$/1M tok");
  for (const auto& r : rows)
    fmt::print("{:<32} {:>10} {:>14} {:>12.4f} {:>7.1f}% {:>7.1f}% {:>12}\n", r.key.substr(0, 32), r.requests, r.tokens,
               r.cost, r.token_share * 100, r.spend_share * 100,
               r.cost_per_mtok ? fmt::format("{:.4f}", *r.cost_per_mtok) : "-");
}

void print_tables(const Insights& in, const std::string& from, const std::string& to) {
  fmt::print("Switchyard insights, {} to {} (UTC)\n", from, to);
  fmt::print("requests {}   tokens {}   cost ${:.4f}\n", in.requests, in.tokens, in.cost);
  print_shares("By provider", in.by_provider);
  print_shares("By model", in.by_model);
  print_shares("By use case", in.by_use_case);
  print_shares("By segment", in.by_segment);
  fmt::print("\nAgentic: {:.1f}% of requests end in a tool call and carry {:.1f}% of tokens\n",
             in.agentic_request_share * 100, in.agentic_token_share * 100);
  fmt::print("Rescued by a fallback: {:.2f}% of requests, {:.2f}% of tokens, {:.2f}% of dollars\n",
             in.rescue_request_rate * 100, in.rescue_token_rate * 100, in.rescue_cost_rate * 100);
  fmt::print("\nUptime{:<26} {:>10} {:>14}\n", "", "requests", "cost-weighted");
  for (const auto& u : in.uptime)
    fmt::print("{:<32} {:>9.2f}% {:>14}\n", u.provider.substr(0, 32), u.request_uptime * 100,
               u.cost_weighted_uptime ? fmt::format("{:.2f}%", *u.cost_weighted_uptime * 100) : "-");
  fmt::print("\nModels per team{:<17} {:>10} {:>12}\n", "", "teams", "avg models");
  for (const auto& b : in.models_per_team) fmt::print("{:<32} {:>10} {:>12.1f}\n", b.bucket, b.teams, b.avg_models);
}

}  // namespace

int run_report(const std::string& config_path, const std::string& from, const std::string& to, bool as_json) {
  auto window = window_option(from, to);
  if (auto* code = std::get_if<int>(&window)) return *code;
  auto opened = open_configured_store(config_path);
  if (auto* code = std::get_if<int>(&opened)) return *code;
  auto& [config, store] = std::get<ConfiguredStore>(opened);
  const DayWindow& days = std::get<DayWindow>(window);
  try {
    // A running count on stderr while a long history is read.
    std::size_t read = 0;
    Rollup rollup = roll_up_store(*store, ScanQuery{days.start_ms, days.end_ms, kPage}, [&](std::size_t n) {
      if ((read = n) >= kPage) std::fprintf(stderr, "\rreading records: %zu", n);
    });
    if (read >= kPage) std::fprintf(stderr, "\rreading records: %zu, done\n", read);
    Insights insights = compute_insights(rollup, config.team_segments, days);
    if (as_json) {
      fmt::print("{}\n", insights_json(insights));
    } else {
      print_tables(insights, day_text(days.first_day), day_text(days.last_day));
    }
  } catch (const StoreError& e) {
    std::fprintf(stderr, "storage: %s\n", e.what());
    return 1;
  }
  return 0;
}

}  // namespace switchyard
