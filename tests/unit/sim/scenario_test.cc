#include "sim/scenario.h"

#include <gtest/gtest.h>

using namespace switchyard::sim;

TEST(Scenario, PlainNameUsesTheDefaults) {
  auto s = std::get<Scenario>(parse_scenario("echo", Defaults{5, 6, 7}));
  EXPECT_EQ(s.base, "echo");
  EXPECT_EQ(s.ttft_ms, 5);
  EXPECT_EQ(s.delay_ms, 6);
  EXPECT_EQ(s.len, 7);
  EXPECT_EQ(s.fault, Fault::none);
}

TEST(Scenario, OptionsOverrideTheDefaults) {
  auto s = std::get<Scenario>(parse_scenario("lorem~len=200~ttft=50~delay=5~fail=429~retry_after=3", {}));
  EXPECT_EQ(s.base, "lorem");
  EXPECT_EQ(s.len, 200);
  EXPECT_EQ(s.ttft_ms, 50);
  EXPECT_EQ(s.delay_ms, 5);
  EXPECT_EQ(s.fail_status, 429);
  EXPECT_EQ(s.retry_after_s, 3);
  EXPECT_EQ(std::get<Scenario>(parse_scenario("x~fault=hang", {})).fault, Fault::hang);
  EXPECT_EQ(std::get<Scenario>(parse_scenario("x~fault=reset", {})).fault, Fault::reset);
  EXPECT_EQ(std::get<Scenario>(parse_scenario("x~fault=drop", {})).fault, Fault::drop);
  EXPECT_EQ(std::get<Scenario>(parse_scenario("x~fault=slow", {})).ttft_ms, 1500);
}

TEST(Scenario, BadOptionsAreExplained) {
  EXPECT_EQ(std::get<std::string>(parse_scenario("x~len", {})), "simulator option 'len' must be key=value");
  EXPECT_EQ(std::get<std::string>(parse_scenario("x~len=-1", {})),
            "simulator option 'len' needs a non-negative whole number");
  EXPECT_EQ(std::get<std::string>(parse_scenario("x~fault=fire", {})),
            "simulator fault 'fire' is not one of hang, reset, drop, slow");
  EXPECT_EQ(std::get<std::string>(parse_scenario("x~fail=200", {})),
            "simulator fail=200 must be an HTTP error status (400-599)");
  EXPECT_EQ(std::get<std::string>(parse_scenario("x~speed=1", {})), "unknown simulator option 'speed'");
}

TEST(Scenario, CutIsAByteCountOrAPercentage) {
  auto bytes = std::get<Scenario>(parse_scenario("lorem~cut=120", {}));
  ASSERT_TRUE(bytes.cut);
  EXPECT_EQ(cut_offset(*bytes.cut, 1000), 120u);
  EXPECT_EQ(cut_offset(*bytes.cut, 100), 100u) << "a cut past the end sends the whole body";
  auto percent = std::get<Scenario>(parse_scenario("lorem~cut=33%", {}));
  ASSERT_TRUE(percent.cut);
  EXPECT_EQ(cut_offset(*percent.cut, 1000), 330u);
  EXPECT_EQ(cut_offset(*percent.cut, 10), 3u) << "rounded down";
  EXPECT_FALSE(std::get<Scenario>(parse_scenario("lorem", {})).cut);
  EXPECT_EQ(std::get<std::string>(parse_scenario("x~cut=0%", {})),
            "simulator cut=0% must be a percentage from 1% to 99%");
  EXPECT_EQ(std::get<std::string>(parse_scenario("x~cut=100%", {})),
            "simulator cut=100% must be a percentage from 1% to 99%");
  EXPECT_EQ(std::get<std::string>(parse_scenario("x~cut=10~fault=drop", {})),
            "simulator option cut cannot go with fault=hang, reset or drop");
}

TEST(Scenario, FailNamesAStatusOrAProvidersOwnRefusal) {
  auto context = std::get<Scenario>(parse_scenario("x~fail=context~fail_first=2", {}));
  EXPECT_EQ(context.fail_status, 400);
  EXPECT_EQ(context.fail_shape, FailShape::context);
  EXPECT_EQ(context.fail_first, 2);
  auto policy = std::get<Scenario>(parse_scenario("x~fail=policy", {}));
  EXPECT_EQ(policy.fail_status, 400);
  EXPECT_EQ(policy.fail_shape, FailShape::policy);
  auto status = std::get<Scenario>(parse_scenario("x~fail=503", {}));
  EXPECT_EQ(status.fail_status, 503);
  EXPECT_EQ(status.fail_shape, FailShape::status);
  EXPECT_EQ(std::get<Scenario>(parse_scenario("x~ctx=4096", {})).context_window, 4096);
  EXPECT_EQ(std::get<std::string>(parse_scenario("x~fail=later", {})),
            "simulator fail=later must be an HTTP error status, context or policy");
}
