#include "routing/rules.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "fixtures.h"

using namespace switchyard;

namespace {
Config with_rules() {
  return parse_config(R"(
providers:
  p: {type: openai, base_url: 'http://127.0.0.1:1/v1'}
models:
  r/vision: {routes: [{provider: p, model: v}]}
  r/long: {routes: [{provider: p, model: l}]}
  r/agent: {routes: [{provider: p, model: a}]}
  r/fast: {routes: [{provider: p, model: f}]}
rules:
  - {if: {has_images: true}, then: r/vision}
  - {if: {estimated_input_tokens_gt: 1000}, then: r/long}
  - {if: {has_tools: true, model: auto}, then: r/agent}
  - {if: {header: {X-Use-Case: summarize}}, then: r/fast}
)",
                      "t");
}

RequestTraits traits_of_fixture(const std::string& path) {
  std::string body = fixture(path);
  return traits_of(boost::json::parse(body).as_object(), body.size());
}
}  // namespace

TEST(Rules, ReadImagesToolsAndSizeFromRecordedRequests) {
  auto image = traits_of_fixture("openai/chat_request_image.json");
  EXPECT_TRUE(image.has_images);
  EXPECT_FALSE(image.has_tools);
  auto tools = traits_of_fixture("openai/chat_request_tools.json");
  EXPECT_TRUE(tools.has_tools);
  EXPECT_FALSE(tools.has_images);
  EXPECT_EQ(tools.estimated_input_tokens, fixture("openai/chat_request_tools.json").size() / 4);
}

TEST(Rules, FirstMatchWinsAndEveryConditionMustHold) {
  Config c = with_rules();
  EXPECT_EQ(apply_rules(c.rules, "auto", traits_of_fixture("openai/chat_request_image.json")), "r/vision");
  // Tools only count for requests naming `auto`.
  EXPECT_EQ(apply_rules(c.rules, "auto", traits_of_fixture("openai/chat_request_tools.json")), "r/agent");
  EXPECT_EQ(apply_rules(c.rules, "p/direct", traits_of_fixture("openai/chat_request_tools.json")), "p/direct");
  RequestTraits big;
  big.estimated_input_tokens = 1001;
  big.has_images = true;
  EXPECT_EQ(apply_rules(c.rules, "auto", big), "r/vision");
  big.has_images = false;
  EXPECT_EQ(apply_rules(c.rules, "auto", big), "r/long");
  RequestTraits plain;
  EXPECT_EQ(apply_rules(c.rules, "auto", plain), "auto");
  plain.header = [](std::string_view name) {
    return name == "x-use-case" ? std::string_view("summarize") : std::string_view();
  };
  EXPECT_EQ(apply_rules(c.rules, "auto", plain), "r/fast");
}

TEST(Rules, BadRulesAreConfigErrors) {
  auto error_of = [](const char* yaml) { return config_error_of(yaml); };
  EXPECT_EQ(error_of("providers: {p: {type: openai}}\nrules:\n  - {if: {has_images: yes please}, then: p/x}\n"),
            "t.yaml:3: key 'rules[0].if.has_images': must be true or false");
  EXPECT_EQ(error_of("providers: {p: {type: openai}}\nrules:\n  - {if: {has_tools: true}, then: q/x}\n"),
            "t.yaml:3: key 'rules[0].then': 'q/x' is not a configured model, alias or provider/model id");
  EXPECT_EQ(error_of("providers: {p: {type: openai}}\nrules:\n  - {if: {colour: red}, then: p/x}\n"),
            "t.yaml:3: key 'rules[0].if.colour': unknown key (expected one of: model, has_images, has_tools, "
            "estimated_input_tokens_gt, header)");
  EXPECT_EQ(error_of("providers: {p: {type: openai}}\nmodels:\n  m:\n    strategy: fastest\n    routes: [{provider: p, "
                     "model: x}]\n"),
            "t.yaml:4: key 'models.m.strategy': must be one of ordered, weighted, lowest-latency, lowest-cost, sort "
            "(got 'fastest')");
}
