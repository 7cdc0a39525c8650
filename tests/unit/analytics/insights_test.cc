#include "analytics/insights.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

using namespace switchyard;
namespace json = boost::json;

namespace {
constexpr int64_t kDay = 1795500000000;  // 2026-11-24, UTC

UsageRecord served(std::string team, std::string provider, std::string model, std::string upstream, int64_t in,
                   int64_t out, std::optional<double> cost) {
  UsageRecord r;
  r.team = std::move(team);
  r.provider = provider;
  r.model = model;
  r.upstream_model = upstream;
  r.input_tokens = in;
  r.output_tokens = out;
  r.cost = cost;
  r.status = 200;
  r.finish_reason = "stop";
  r.created_ms = kDay;
  r.attempts = {{provider, upstream, model, true, 200, "", kDay, kDay + 10}};
  return r;
}

// Every figure of a set of records, over all their days.
Insights compute_insights(const std::vector<UsageRecord>& records, const std::map<std::string, std::string>& segments) {
  Rollup rollup;
  for (const auto& record : records) rollup.add(record);
  return switchyard::compute_insights(rollup, segments, DayWindow::always());
}

// A spend leader that is not the volume leader, tool calls, a rescue and a failure.
std::vector<UsageRecord> mix() {
  std::vector<UsageRecord> records;
  for (int i = 0; i < 3; ++i) {
    records.push_back(served("acme", "lab-a", "m/premium", "claude-sonnet-4-5-20250929", 80, 20, 1.0));
    records.back().use_case = "agent";
    if (i < 2) records.back().finish_reason = "tool_calls";
  }
  for (int i = 0; i < 6; ++i) records.push_back(served("beta", "lab-b", "m/cheap", "gemini-2.5-flash", 400, 100, 0.1));
  records.back().attempts.insert(records.back().attempts.begin(),
                                 {"lab-a", "claude-sonnet-4-5", "m/premium", false, 503, "overloaded", kDay, kDay + 5});
  UsageRecord failed = served("gamma", "lab-a", "m/premium", "claude-sonnet-4-5", 0, 0, std::nullopt);
  failed.status = 502;
  failed.attempts[0].success = false;
  failed.attempts[0].status = 500;
  records.push_back(failed);
  return records;
}
}  // namespace

TEST(Insights, SpendAndVolumeLeadersAgenticRescueAndUptimeOnAKnownMix) {
  Insights in = compute_insights(mix(), {{"acme", "b2b"}, {"beta", "b2c"}});
  EXPECT_EQ(in.requests, 10);
  EXPECT_EQ(in.tokens, 3 * 100 + 6 * 500);
  EXPECT_DOUBLE_EQ(in.cost, 3.6);

  ASSERT_EQ(in.by_provider.size(), 2u);
  EXPECT_EQ(in.by_provider[0].key, "lab-a");  // the spend leader ...
  EXPECT_NEAR(in.by_provider[0].spend_share, 3.0 / 3.6, 1e-12);
  EXPECT_NEAR(in.by_provider[0].token_share, 300.0 / 3300, 1e-12);
  EXPECT_EQ(in.by_provider[1].key, "lab-b");  // ... is not the volume leader
  EXPECT_NEAR(in.by_provider[1].token_share, 3000.0 / 3300, 1e-12);
  EXPECT_NEAR(*in.by_provider[1].cost_per_mtok, 0.6 / 3000 * 1e6, 1e-9);
  EXPECT_EQ(in.leaderboard_tokens[0].key, "m/cheap");
  EXPECT_EQ(in.leaderboard_spend[0].key, "m/premium");
  ASSERT_EQ(in.by_segment.size(), 2u);
  EXPECT_EQ(in.by_segment[0].key, "b2b");
  EXPECT_EQ(in.by_use_case[0].key, "agent");

  EXPECT_NEAR(in.agentic_request_share, 2.0 / 9, 1e-12);
  EXPECT_NEAR(in.agentic_token_share, 200.0 / 3300, 1e-12);
  EXPECT_NEAR(in.rescue_request_rate, 1.0 / 9, 1e-12);
  EXPECT_NEAR(in.rescue_token_rate, 500.0 / 3300, 1e-12);
  EXPECT_NEAR(in.rescue_cost_rate, 0.1 / 3.6, 1e-12);

  ASSERT_EQ(in.uptime.size(), 2u);
  EXPECT_EQ(in.uptime[0].provider, "lab-a");
  EXPECT_NEAR(in.uptime[0].request_uptime, 3.0 / 5, 1e-12);           // 3 of 5 attempts succeeded
  EXPECT_NEAR(*in.uptime[0].cost_weighted_uptime, 3.0 / 3.1, 1e-12);  // the unpriced failure weighs nothing
  EXPECT_NEAR(in.uptime[1].request_uptime, 1.0, 1e-12);

  ASSERT_EQ(in.models_per_team.size(), 1u);
  EXPECT_EQ(in.models_per_team[0].bucket, "1-9");
  EXPECT_EQ(in.models_per_team[0].teams, 3);
  EXPECT_DOUBLE_EQ(in.models_per_team[0].avg_models, 1.0);
}

TEST(Insights, CacheHitsAreCountedApartFromWhatProvidersAnswered) {
  const std::map<std::string, std::string> segments{{"acme", "b2b"}, {"beta", "b2c"}};
  auto hit = [](std::optional<double> saved, int status = 200) {
    UsageRecord r;  // as the request path records a hit: no attempt, no provider, cost 0
    r.team = "acme";
    r.model_requested = "m/premium";
    r.input_tokens = 80;
    r.output_tokens = 20;
    r.cost = 0;
    r.status = status;
    r.finish_reason = "tool_calls";
    r.created_ms = kDay;
    r.cache_hit = true;
    r.saved_cost = saved;
    return r;
  };
  std::vector<UsageRecord> records = mix();  // 9 successful requests a provider answered, 1 failure
  records.push_back(hit(1.0));
  records.push_back(hit(0.5));
  records.push_back(hit(std::nullopt));  // the kept answer was unpriced: it saved an unknown cost
  records.push_back(hit(2.0, 499));      // the client left first: not a successful hit
  const Insights in = compute_insights(records, segments);
  EXPECT_EQ(in.requests, 14);
  EXPECT_EQ(in.tokens, 3 * 100 + 6 * 500 + 4 * 100);
  EXPECT_DOUBLE_EQ(in.cost, 3.6) << "a hit costs nothing";
  EXPECT_EQ(in.cache_hits, 3);
  EXPECT_NEAR(in.cache_hit_rate, 3.0 / 12, 1e-12) << "of the 12 successful requests";
  EXPECT_DOUBLE_EQ(in.saved_cost, 1.5);
  json::value out = json::parse(insights_json(in));
  EXPECT_EQ(out.at("cache"), json::parse(R"({"hits":3,"hit_rate":0.25,"saved_cost":1.5})"));

  // What providers answered reads as without the hits: shares, agentic, rescue, segments, teams.
  json::value without = json::parse(insights_json(compute_insights(mix(), segments)));
  for (auto* figures : {&out, &without}) {
    figures->as_object().erase("totals");
    figures->as_object().erase("cache");
  }
  EXPECT_EQ(out, without);
  EXPECT_EQ(without.at("by_provider").as_array().size(), 2u);
}

TEST(Insights, NoHitsIsARateOfZero) {
  const json::value out = json::parse(insights_json(compute_insights(mix(), {})));
  EXPECT_EQ(out.at("cache").at("hits"), 0);
  EXPECT_EQ(out.at("cache").at("hit_rate").to_number<double>(), 0);
  EXPECT_EQ(out.at("cache").at("saved_cost").to_number<double>(), 0);
}

TEST(Insights, FamiliesVersionsAndVolumeBuckets) {
  EXPECT_EQ(model_family("claude-sonnet-4-5-20250929"), (std::pair<std::string, std::string>{"claude-sonnet", "4.5"}));
  EXPECT_EQ(model_family("gemini-2.5-flash"), (std::pair<std::string, std::string>{"gemini-flash", "2.5"}));
  EXPECT_EQ(model_family("anthropic/claude-sonnet-4"), (std::pair<std::string, std::string>{"claude-sonnet", "4"}));
  EXPECT_EQ(volume_bucket(1), "1-9");
  EXPECT_EQ(volume_bucket(10), "10-99");
  EXPECT_EQ(volume_bucket(9999), "1K-9.9K");
  EXPECT_EQ(volume_bucket(12'000'000), "10M-99M");

  // A new version taking over its family: 1 of 4 requests on the first day, 3 of 4 on the next.
  std::vector<UsageRecord> records;
  auto add = [&](const char* upstream, int64_t day) {
    records.push_back(served("t", "p", "m", upstream, 1, 1, 0.0));
    records.back().created_ms = kDay + day * 86400000;
  };
  add("claude-sonnet-4-5", 0);
  for (int i = 0; i < 3; ++i) add("claude-sonnet-4", 0);
  for (int i = 0; i < 3; ++i) add("claude-sonnet-4-5", 1);
  add("claude-sonnet-4", 1);
  auto in = compute_insights(records, {});
  std::vector<std::string> rows;
  for (const auto& a : in.adoption)
    rows.push_back(a.day + " " + a.version + " " + std::to_string(a.share).substr(0, 4));
  EXPECT_EQ(rows, (std::vector<std::string>{"2026-11-24 4 0.75", "2026-11-24 4.5 0.25", "2026-11-25 4 0.25",
                                            "2026-11-25 4.5 0.75"}));
}

// The live rollup holds every day; a query reads only its window's cells, team cells included.
TEST(Insights, AWindowOfTheRollupCountsOnlyItsDays) {
  Rollup rollup;
  const int64_t day0 = kDay / kDayMs;
  auto add = [&](const char* team, const char* model, int64_t day, int n) {
    for (int i = 0; i < n; ++i) {
      UsageRecord r = served(team, "p", model, model, 10, 5, 0.01);
      r.created_ms = kDay + day * kDayMs;
      rollup.add(r);
    }
  };
  // "small" uses one model on day 0 and another 40 days later (another 32-day block);
  // "big" sends 12 requests a day on days 0..2 with a third model only on day 2.
  add("small", "m/a", 0, 2);
  add("small", "m/b", 40, 1);
  for (int day = 0; day < 3; ++day) {
    add("big", "m/a", day, 10);
    add("big", day == 2 ? "m/c" : "m/b", day, 2);
  }
  auto days = [&](int64_t first, int64_t last) { return DayWindow{0, 0, day0 + first, day0 + last}; };

  Insights first_two = compute_insights(rollup, {}, days(0, 1));
  EXPECT_EQ(first_two.requests, 2 + 24);
  ASSERT_EQ(first_two.models_per_team.size(), 2u);
  EXPECT_EQ(first_two.models_per_team[0].bucket, "1-9");  // small: 2 requests, 1 model
  EXPECT_DOUBLE_EQ(first_two.models_per_team[0].avg_models, 1.0);
  EXPECT_EQ(first_two.models_per_team[1].bucket, "10-99");  // big: 24 requests, m/a and m/b
  EXPECT_DOUBLE_EQ(first_two.models_per_team[1].avg_models, 2.0);

  Insights day_two = compute_insights(rollup, {{"big", "b2b"}}, days(2, 2));
  EXPECT_EQ(day_two.requests, 12);
  ASSERT_EQ(day_two.by_segment.size(), 1u);
  EXPECT_EQ(day_two.by_segment[0].key, "b2b");
  EXPECT_EQ(day_two.by_segment[0].tokens, 12 * 15);
  ASSERT_EQ(day_two.models_per_team.size(), 1u);
  EXPECT_DOUBLE_EQ(day_two.models_per_team[0].avg_models, 2.0);  // m/a and m/c

  Insights later = compute_insights(rollup, {}, days(3, 45));
  EXPECT_EQ(later.requests, 1);
  ASSERT_EQ(later.models_per_team.size(), 1u);
  EXPECT_DOUBLE_EQ(later.models_per_team[0].avg_models, 1.0);  // small's m/b only

  Insights all = compute_insights(rollup, {}, DayWindow::always());
  EXPECT_EQ(all.requests, 3 + 36);
  EXPECT_DOUBLE_EQ(all.models_per_team[0].avg_models, 2.0);  // small: m/a and m/b
  EXPECT_DOUBLE_EQ(all.models_per_team[1].avg_models, 3.0);
}

TEST(Rollup, NamesFromClientsAreBounded) {
  Names names;
  for (std::size_t i = 0; i < Names::kMaxNames + 500; ++i) names.id("provider/random-" + std::to_string(i));
  uint32_t folded = names.id("provider/one-more");
  EXPECT_EQ(names.name(folded), Names::kOther);
  EXPECT_EQ(names.id("provider/and-another"), folded);
  EXPECT_EQ(names.name(names.id("provider/random-7")), "provider/random-7") << "names known before stay";
}
