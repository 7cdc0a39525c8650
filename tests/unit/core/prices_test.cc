#include "core/prices.h"

#include <gtest/gtest.h>

using namespace switchyard;

namespace {
const PriceTable& builtin() {
  static const PriceTable table = PriceTable::parse(PriceTable::builtin_yaml(), "data/prices.yaml");
  return table;
}
int64_t day(const char* date) {
  int y, m, d;
  std::sscanf(date, "%d-%d-%d", &y, &m, &d);
  using namespace std::chrono;
  return sys_days(year(y) / month(m) / std::chrono::day(d)).time_since_epoch().count();
}
}  // namespace

TEST(Prices, NamesLoseTheirOrgPathAndVersionSuffix) {
  EXPECT_EQ(PriceTable::canonical_name("gpt-4o-mini-2024-07-18"), "gpt-4o-mini");
  EXPECT_EQ(PriceTable::canonical_name("claude-sonnet-4-5-20250929"), "claude-sonnet-4-5");
  EXPECT_EQ(PriceTable::canonical_name("claude-3-5-sonnet@20240620"), "claude-3-5-sonnet");
  EXPECT_EQ(PriceTable::canonical_name("meta-llama/Llama-3.3-70B-Instruct-Turbo"), "llama-3.3-70b");
  EXPECT_EQ(PriceTable::canonical_name("gemini-2.5-flash-preview"), "gemini-2.5-flash");
}

TEST(Prices, MatchesVersionsHostsAndEffectiveDates) {
  const auto& t = builtin();
  auto mini = t.find("openai", "gpt-4o-mini-2024-07-18", day("2026-01-01"));
  ASSERT_TRUE(mini);
  EXPECT_DOUBLE_EQ(mini->input_per_mtok, 0.15);
  EXPECT_DOUBLE_EQ(*mini->cache_read_per_mtok, 0.075);
  // o3's price fell on 2025-06-10.
  EXPECT_DOUBLE_EQ(t.find("openai", "o3", day("2025-06-01"))->input_per_mtok, 10.00);
  EXPECT_DOUBLE_EQ(t.find("openai", "o3", day("2025-06-10"))->input_per_mtok, 2.00);
  EXPECT_FALSE(t.find("openai", "o3", day("2024-01-01"))) << "no price before the model existed";
  // A host's own price beats the general one; other hosts get the general one.
  EXPECT_DOUBLE_EQ(t.find("groq", "llama-3.3-70b-versatile", day("2026-01-01"))->input_per_mtok, 0.59);
  EXPECT_DOUBLE_EQ(t.find("together", "meta-llama/Llama-3.3-70B-Instruct-Turbo", day("2026-01-01"))->input_per_mtok,
                   0.88);
  // Prefix at a '-' boundary: a fine-tune or variant of a listed model; never a different model.
  EXPECT_DOUBLE_EQ(t.find("xai", "grok-4-0709", day("2026-01-01"))->output_per_mtok, 15.00);
  EXPECT_DOUBLE_EQ(t.find("xai", "grok-4-fast-reasoning", day("2026-01-01"))->output_per_mtok, 0.50);
  EXPECT_FALSE(t.find("sim", "lorem", day("2026-01-01")));
  EXPECT_FALSE(t.find("openai", "gpt-4", day("2026-01-01"))) << "gpt-4 is not gpt-4o";
}

TEST(Prices, CacheReadsAndWritesAtTheirOwnRates) {
  // claude-sonnet-4-5 on the recorded cached answer: 21 uncached + 188086 written, 393 out.
  Price sonnet = *builtin().find("anthropic", "claude-sonnet-4-5-20250929", day("2026-01-01"));
  double cost = cost_usd(sonnet, TokenCounts{21 + 188086, 393, 0, 188086});
  EXPECT_NEAR(cost, (21 * 3.00 + 188086 * 3.75 + 393 * 15.00) / 1e6, 1e-12);
  // o4-mini on the recorded stream: 1920 of 2006 input tokens read from cache.
  Price o4 = *builtin().find("openai", "o4-mini-2025-04-16", day("2026-01-01"));
  EXPECT_NEAR(cost_usd(o4, TokenCounts{2006, 300, 1920, 0}), (86 * 1.10 + 1920 * 0.275 + 300 * 4.40) / 1e6, 1e-12);
  // No cache rate listed: cached tokens cost what input costs.
  Price plain{2.0, 4.0, std::nullopt, std::nullopt};
  EXPECT_NEAR(cost_usd(plain, TokenCounts{1000, 10, 500, 0}), (1000 * 2.0 + 10 * 4.0) / 1e6, 1e-12);
}

TEST(Prices, BadEntriesNameTheirPlace) {
  try {
    PriceTable::parse("prices:\n  - {model: x, input: 1}\n", "p.yaml");
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("p.yaml:2: prices[0]"), std::string::npos) << e.what();
  }
}
