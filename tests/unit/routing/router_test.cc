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
)", "t");
}
}  // namespace

TEST(Router, ConfiguredModelGivesItsUsableRoutesInOrder) {
  Config c = config();
  auto plan = std::get<RoutePlan>(plan_route(c, "team/chat"));
  ASSERT_EQ(plan.candidates.size(), 2u);
  EXPECT_EQ(plan.candidates[0].provider->name, "fast");
  EXPECT_EQ(plan.candidates[0].upstream_model, "m1");
  EXPECT_EQ(plan.candidates[1].provider->name, "slow");
}

TEST(Router, ProviderPrefixGoesStraightToTheProvider) {
  Config c = config();
  auto plan = std::get<RoutePlan>(plan_route(c, "slow/org/model-v2"));
  ASSERT_EQ(plan.candidates.size(), 1u);
  EXPECT_EQ(plan.candidates[0].provider->name, "slow");
  EXPECT_EQ(plan.candidates[0].upstream_model, "org/model-v2");
}

TEST(Router, UnknownModelsAreNotFound) {
  Config c = config();
  for (const char* id : {"gpt-4o", "nobody/model", "fast/"}) {
    auto result = plan_route(c, id);
    ASSERT_TRUE(std::holds_alternative<Error>(result)) << id;
    EXPECT_EQ(std::get<Error>(result).status, 404) << id;
  }
}

TEST(Router, DisabledProvidersMakeAModelUnavailableAndSayWhy) {
  Config c = config();
  auto result = plan_route(c, "team/off");
  ASSERT_TRUE(std::holds_alternative<Error>(result));
  EXPECT_EQ(std::get<Error>(result).status, 503);
  EXPECT_NE(std::get<Error>(result).message.find("SWITCHYARD_TEST_NEVER_SET"), std::string::npos);
}
