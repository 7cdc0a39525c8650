#include "routing/router.h"

#include <gtest/gtest.h>

using namespace switchyard;

namespace {
Config config() {
  return parse_config(R"(
providers:
  fast: {type: openai, base_url: 'http://127.0.0.1:1/v1'}
  slow: {type: openai, base_url: 'http://127.0.0.1:2/v1'}
  off: {type: openai, api_key: '${SWITCHYARD_TEST_NEVER_SET}'}
models:
  team/chat:
    routes: [{provider: fast, model: m1}, {provider: off, model: m2}, {provider: slow, model: m3}]
  team/off:
    routes: [{provider: off, model: m2}]
  team/primary:
    routes: [{provider: fast, model: p1}]
    fallbacks: [team/secondary, slow/raw-model]
  team/secondary:
    routes: [{provider: slow, model: s1}]
    fallbacks: [team/primary]
aliases:
  chat-latest: team/primary
  sonnet: {team/secondary: 90, fast/canary: 10}
)", "t");
}
}  // namespace

TEST(Router, ConfiguredModelGivesItsUsableRoutesInOrder) {
  Config c = config();
  auto plan = std::get<RoutePlan>(plan_route(c, "team/chat", 0.5));
  ASSERT_EQ(plan.candidates.size(), 2u);
  EXPECT_EQ(plan.candidates[0].provider->name, "fast");
  EXPECT_EQ(plan.candidates[0].upstream_model, "m1");
  EXPECT_EQ(plan.candidates[1].provider->name, "slow");
}

TEST(Router, ProviderPrefixGoesStraightToTheProvider) {
  Config c = config();
  auto plan = std::get<RoutePlan>(plan_route(c, "slow/org/model-v2", 0.5));
  ASSERT_EQ(plan.candidates.size(), 1u);
  EXPECT_EQ(plan.candidates[0].provider->name, "slow");
  EXPECT_EQ(plan.candidates[0].upstream_model, "org/model-v2");
}

TEST(Router, UnknownModelsAreNotFound) {
  Config c = config();
  for (const char* id : {"gpt-4o", "nobody/model", "fast/"}) {
    auto result = plan_route(c, id, 0.5);
    ASSERT_TRUE(std::holds_alternative<Error>(result)) << id;
    EXPECT_EQ(std::get<Error>(result).status, 404) << id;
  }
}

TEST(Router, DisabledProvidersMakeAModelUnavailableAndSayWhy) {
  Config c = config();
  auto result = plan_route(c, "team/off", 0.5);
  ASSERT_TRUE(std::holds_alternative<Error>(result));
  EXPECT_EQ(std::get<Error>(result).status, 503);
  EXPECT_NE(std::get<Error>(result).message.find("SWITCHYARD_TEST_NEVER_SET"), std::string::npos);
}

TEST(Router, FallbacksFollowTheRoutesInOrderAndEachModelOnce) {
  Config c = config();
  auto plan = std::get<RoutePlan>(plan_route(c, "team/primary", 0.5));
  std::vector<std::string> order;
  for (const auto& candidate : plan.candidates) order.push_back(candidate.model_id + "=" + candidate.upstream_model);
  // team/secondary falls back to team/primary again: planned once, no loop.
  EXPECT_EQ(order, (std::vector<std::string>{"team/primary=p1", "team/secondary=s1", "slow/raw-model=raw-model"}));
  EXPECT_EQ(plan.model_id, "team/primary");
}

TEST(Router, AliasesNameAModelAndCanariesSplitByPercent) {
  Config c = config();
  EXPECT_EQ(std::get<RoutePlan>(plan_route(c, "chat-latest", 0.99)).candidates.front().model_id, "team/primary");
  EXPECT_EQ(std::get<RoutePlan>(plan_route(c, "sonnet", 0.0)).candidates.front().model_id, "team/secondary");
  EXPECT_EQ(std::get<RoutePlan>(plan_route(c, "sonnet", 0.8999)).candidates.front().model_id, "team/secondary");
  EXPECT_EQ(std::get<RoutePlan>(plan_route(c, "sonnet", 0.9)).candidates.front().model_id, "fast/canary");
  EXPECT_EQ(std::get<RoutePlan>(plan_route(c, "sonnet", 0.9999)).candidates.front().upstream_model, "canary");
}

TEST(Router, BadFallbacksAndAliasesAreConfigErrors) {
  auto error_of = [](const char* yaml) {
    try {
      parse_config(yaml, "t.yaml");
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  EXPECT_EQ(error_of("providers: {p: {type: openai}}\nmodels:\n  m: {routes: [{provider: p, model: x}], fallbacks: [nowhere]}\n"),
            "t.yaml:3: key 'models.m.fallbacks[0]': 'nowhere' is not another configured model or provider/model id");
  EXPECT_EQ(error_of("providers: {p: {type: openai}}\naliases: {a: {p/x: 60, p/y: 30}}\n"),
            "t.yaml:2: key 'aliases.a': percents must add up to 100 (they add up to 90)");
  EXPECT_EQ(error_of("providers: {p: {type: openai}}\naliases: {a: q/x}\n"),
            "t.yaml:2: key 'aliases.a': 'q/x' is not a configured model or provider/model id");
}
