#pragma once
// The production-traffic figures (docs/analytics.md defines each exactly as computed here), from
// a rollup. Pure: cells and team segments in, figures out.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "analytics/rollup.h"
#include "core/calendar.h"
#include "storage/usage_record.h"

namespace switchyard {

struct ShareRow {
  std::string key;
  int64_t requests = 0, tokens = 0;
  double cost = 0;
  double token_share = 0, spend_share = 0;
  std::optional<double> cost_per_mtok;  // cost per 1M tokens; none without tokens
};

struct Uptime {
  std::string provider;
  double request_uptime = 0;
  std::optional<double> cost_weighted_uptime;  // none when no attempt belongs to a priced request
};

struct TeamBucket {
  std::string bucket;  // "1-9", "10-99", "100-999", "1K-9.9K", ...
  int64_t teams = 0;
  double avg_models = 0;
};

struct Adoption {
  std::string family, day, version;
  double share = 0;  // of the family's requests that day
};

struct Insights {
  int64_t requests = 0, tokens = 0;
  double cost = 0;
  std::vector<ShareRow> by_provider, by_model, by_use_case, by_segment;
  double agentic_request_share = 0, agentic_token_share = 0;
  double rescue_request_rate = 0, rescue_token_rate = 0, rescue_cost_rate = 0;
  // Successful requests answered from the response cache, their share of all successful
  // requests, and what their kept answers cost when they were made (priced ones).
  int64_t cache_hits = 0;
  double cache_hit_rate = 0, saved_cost = 0;
  std::vector<Uptime> uptime;
  std::vector<TeamBucket> models_per_team;
  std::vector<Adoption> adoption;
  std::vector<ShareRow> leaderboard_tokens, leaderboard_spend;
};

// `segments`: team -> segment (config `teams:`); teams without one are "unassigned".
// From the rollup's cells of the days in `window`.
Insights compute_insights(const Rollup& rollup, const std::map<std::string, std::string>& segments,
                          const DayWindow& window);

// A model's family and version: the upstream name without org path and date, split into its
// word parts (the family) and its number parts (the version): claude-sonnet-4-5 -> claude-sonnet, 4.5.
std::pair<std::string, std::string> model_family(std::string_view upstream_model);

// Decade bucket of a request count: 1-9, 10-99, 100-999, 1K-9.9K, 10K-99K, ...
std::string volume_bucket(int64_t requests);

std::string insights_json(const Insights& insights);

}  // namespace switchyard
