#include "analytics/insights.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <chrono>
#include <set>

#include <unordered_map>
#include <unordered_set>
#include "core/calendar.h"
#include "core/prices.h"
#include "translate/json_parse.h"

namespace switchyard {
namespace json = boost::json;
namespace {

struct Totals {
  int64_t requests = 0, tokens = 0;
  double cost = 0;
  void add(const RollupCell& cell) {
    requests += cell.requests;
    tokens += cell.tokens;
    cost += cell.cost;
  }
};

std::vector<ShareRow> shares(const std::map<std::string, Totals>& groups, const Totals& all) {
  std::vector<ShareRow> rows;
  for (const auto& [key, t] : groups) {
    ShareRow row{key, t.requests, t.tokens, t.cost};
    row.token_share = all.tokens ? static_cast<double>(t.tokens) / all.tokens : 0;
    row.spend_share = all.cost > 0 ? t.cost / all.cost : 0;
    if (t.tokens) row.cost_per_mtok = t.cost / t.tokens * 1e6;
    rows.push_back(std::move(row));
  }
  std::sort(rows.begin(), rows.end(),
            [](const ShareRow& a, const ShareRow& b) { return a.cost != b.cost ? a.cost > b.cost : a.key < b.key; });
  return rows;
}

bool is_number_part(std::string_view part) {
  return !part.empty() && std::all_of(part.begin(), part.end(),
                                      [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || c == '.'; });
}

json::value optional_number(const std::optional<double>& v) { return v ? json::value(*v) : json::value(nullptr); }

json::array share_rows_json(const std::vector<ShareRow>& rows) {
  json::array out;
  for (const auto& r : rows)
    out.push_back(json::object{{"key", r.key},
                               {"requests", r.requests},
                               {"tokens", r.tokens},
                               {"cost", r.cost},
                               {"token_share", r.token_share},
                               {"spend_share", r.spend_share},
                               {"cost_per_mtok", optional_number(r.cost_per_mtok)}});
  return out;
}

// Whether a team used the model on some day of the window.
bool used_in(const TeamModelDays& m, const DayWindow& window) {
  const int64_t first = int64_t{m.block} * 32;
  uint32_t mask = ~0u;
  if (window.first_day > first) mask = window.first_day - first >= 32 ? 0 : mask & (~0u << (window.first_day - first));
  if (window.last_day < first + 31)
    mask = window.last_day < first ? 0 : mask & (~0u >> (31 - (window.last_day - first)));
  return (m.used & mask) != 0;
}

}  // namespace

std::pair<std::string, std::string> model_family(std::string_view upstream_model) {
  std::string name = PriceTable::canonical_name(upstream_model);
  std::string family, version;
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t dash = name.find('-', start);
    std::string_view part =
        std::string_view(name).substr(start, dash == std::string::npos ? std::string::npos : dash - start);
    std::string& into = is_number_part(part) ? version : family;
    if (!into.empty()) into += is_number_part(part) ? '.' : '-';
    into += part;
    if (dash == std::string::npos) break;
    start = dash + 1;
  }
  return {family, version};
}

std::string volume_bucket(int64_t requests) {
  static const char* kLabels[] = {"1-9",       "10-99",   "100-999", "1K-9.9K", "10K-99K",
                                  "100K-999K", "1M-9.9M", "10M-99M", "100M+"};
  int decade = 0;
  for (int64_t n = requests; n >= 10 && decade < 8; n /= 10) ++decade;
  return kLabels[decade];
}

Insights compute_insights(const Rollup& rollup, const std::map<std::string, std::string>& segments,
                          const DayWindow& window) {
  const Names& names = rollup.names;
  Insights out;
  Totals all, ok, agentic, rescued, hits;
  double saved_cost = 0;
  // Summed by interned id while walking the cells (one hash lookup each), named at the end.
  std::unordered_map<uint32_t, Totals> by_provider, by_model, by_use_case;
  std::unordered_map<uint64_t, int64_t> version_days;  // upstream id << 32 | day -> requests
  auto first =
      rollup.cells.lower_bound(static_cast<int32_t>(std::clamp<int64_t>(window.first_day, INT32_MIN, INT32_MAX)));
  for (auto day = first; day != rollup.cells.end() && window.has_day(day->first); ++day) {
    for (const auto& [key, cell] : day->second) {
      all.add(cell);
      if (!(key.flags & Rollup::kAnswered)) continue;
      // A hit reached no provider: it is in the totals and the cache's figures only.
      if (key.flags & Rollup::kCacheHit) {
        hits.add(cell);
        saved_cost += cell.saved_cost;
        continue;
      }
      ok.add(cell);
      by_provider[key.provider].add(cell);
      by_model[key.model].add(cell);
      by_use_case[key.use_case].add(cell);
      if (key.flags & Rollup::kToolCall) agentic.add(cell);
      if (key.flags & Rollup::kRescued) rescued.add(cell);
      if (!names.name(key.upstream).empty())
        version_days[uint64_t{key.upstream} << 32 | static_cast<uint32_t>(day->first)] += cell.requests;
    }
  }
  auto named = [&](const std::unordered_map<uint32_t, Totals>& groups) {
    std::map<std::string, Totals> out;
    for (const auto& [id, totals] : groups)
      out[names.name(id)].add(RollupCell{totals.requests, totals.tokens, totals.cost});
    return out;
  };
  // Per team: its segment's totals, its requests and its distinct models in the window.
  std::map<std::string, Totals> segment;
  std::map<int64_t, std::pair<int64_t, int64_t>> buckets;  // decade floor -> teams, models summed
  std::vector<uint32_t> models;
  for (uint32_t team = 0; team < rollup.team_cells.size(); ++team) {
    const TeamCells& cells = rollup.team_cells[team];
    Totals answered;
    int64_t requests = 0;
    for (const TeamDay& d : cells.days)
      if (window.has_day(d.day)) {
        requests += d.requests;
        answered.add(RollupCell{d.answered, d.tokens, d.cost});
      }
    if (!requests) continue;
    models.clear();
    for (const TeamModelDays& m : cells.models)
      if (used_in(m, window) && !names.name(m.model).empty()) models.push_back(m.model);
    std::sort(models.begin(), models.end());
    auto distinct = std::unique(models.begin(), models.end()) - models.begin();
    if (answered.requests) {
      auto seg = segments.find(rollup.teams.name(team));
      segment[seg == segments.end() ? "unassigned" : seg->second].add(
          RollupCell{answered.requests, answered.tokens, answered.cost});
    }
    int64_t floor = 1;
    while (floor * 10 <= requests) floor *= 10;
    auto& b = buckets[floor];
    ++b.first;
    b.second += distinct;
  }
  std::map<std::string, Totals> provider = named(by_provider), model = named(by_model), use_case = named(by_use_case);
  std::map<std::pair<std::string, std::string>, std::map<std::string, int64_t>>
      family_days;  // (family, day) -> version -> n
  for (const auto& [upstream_day, requests] : version_days) {
    auto [family, version] = model_family(names.name(static_cast<uint32_t>(upstream_day >> 32)));
    family_days[{family, day_text(static_cast<uint32_t>(upstream_day))}][version.empty() ? "-" : version] += requests;
  }
  std::map<std::string, AttemptCell> attempts;  // by provider name
  for (const auto& [key, cell] : rollup.attempts) {
    if (!window.has_hour(key.hour)) continue;
    AttemptCell& sum = attempts[names.name(key.provider)];
    sum.attempts += cell.attempts;
    sum.successes += cell.successes;
    sum.cost += cell.cost;
    sum.success_cost += cell.success_cost;
    sum.priced = sum.priced || cell.priced;
  }
  out.requests = all.requests;
  out.tokens = all.tokens;
  out.cost = all.cost;
  out.by_provider = shares(provider, ok);
  out.by_model = shares(model, ok);
  out.by_use_case = shares(use_case, ok);
  out.by_segment = shares(segment, ok);
  auto ratio = [](double part, double whole) { return whole > 0 ? part / whole : 0.0; };
  out.agentic_request_share = ratio(agentic.requests, ok.requests);
  out.agentic_token_share = ratio(agentic.tokens, ok.tokens);
  out.rescue_request_rate = ratio(rescued.requests, ok.requests);
  out.rescue_token_rate = ratio(rescued.tokens, ok.tokens);
  out.rescue_cost_rate = ratio(rescued.cost, ok.cost);
  out.cache_hits = hits.requests;
  out.cache_hit_rate = ratio(hits.requests, ok.requests + hits.requests);
  out.saved_cost = saved_cost;
  for (const auto& [name, cell] : attempts) {
    Uptime u{name, ratio(cell.successes, cell.attempts), std::nullopt};
    if (cell.priced && cell.cost > 0) u.cost_weighted_uptime = cell.success_cost / cell.cost;
    out.uptime.push_back(std::move(u));
  }
  for (const auto& [floor, b] : buckets)
    out.models_per_team.push_back({volume_bucket(floor), b.first, static_cast<double>(b.second) / b.first});
  for (const auto& [key, versions] : family_days) {
    int64_t total = 0;
    for (const auto& [version, n] : versions) total += n;
    for (const auto& [version, n] : versions)
      out.adoption.push_back({key.first, key.second, version, static_cast<double>(n) / total});
  }
  out.leaderboard_tokens = out.by_model;
  std::sort(out.leaderboard_tokens.begin(), out.leaderboard_tokens.end(), [](const ShareRow& a, const ShareRow& b) {
    return a.tokens != b.tokens ? a.tokens > b.tokens : a.key < b.key;
  });
  out.leaderboard_spend = out.by_model;  // by_model is already ordered by spend
  return out;
}

std::string insights_json(const Insights& in) {
  json::array uptime, per_team, adoption;
  for (const auto& u : in.uptime)
    uptime.push_back(json::object{{"provider", u.provider},
                                  {"request_uptime", u.request_uptime},
                                  {"cost_weighted_uptime", optional_number(u.cost_weighted_uptime)}});
  for (const auto& b : in.models_per_team)
    per_team.push_back(json::object{{"bucket", b.bucket}, {"teams", b.teams}, {"avg_models", b.avg_models}});
  for (const auto& a : in.adoption)
    adoption.push_back(json::object{{"family", a.family}, {"day", a.day}, {"version", a.version}, {"share", a.share}});
  json::object out;
  out["totals"] = json::object{{"requests", in.requests}, {"tokens", in.tokens}, {"cost", in.cost}};
  out["by_provider"] = share_rows_json(in.by_provider);
  out["by_model"] = share_rows_json(in.by_model);
  out["by_use_case"] = share_rows_json(in.by_use_case);
  out["by_segment"] = share_rows_json(in.by_segment);
  out["agentic"] = json::object{{"request_share", in.agentic_request_share}, {"token_share", in.agentic_token_share}};
  out["rescue"] = json::object{{"request_rate", in.rescue_request_rate},
                               {"token_rate", in.rescue_token_rate},
                               {"cost_rate", in.rescue_cost_rate}};
  out["cache"] = json::object{{"hits", in.cache_hits}, {"hit_rate", in.cache_hit_rate}, {"saved_cost", in.saved_cost}};
  out["uptime"] = std::move(uptime);
  out["models_per_team"] = std::move(per_team);
  out["adoption"] = std::move(adoption);
  out["leaderboard"] = json::object{{"by_tokens", share_rows_json(in.leaderboard_tokens)},
                                    {"by_spend", share_rows_json(in.leaderboard_spend)}};
  return serialize_json(out);
}

}  // namespace switchyard
