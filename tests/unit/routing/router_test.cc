#include "routing/router.h"

#include <gtest/gtest.h>

#include "fixtures.h"

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
)",
                      "t");
}
// Routing with chosen draws (used in turn, round and round) and latencies.
std::variant<RoutePlan, Error> plan_route(const Config& c, RouteRequest request, std::vector<double> draws = {0.5},
                                          const LatencyTracker& latency = LatencyTracker()) {
  std::size_t next = 0;
  auto draw = [draws, next]() mutable { return draws[next++ % draws.size()]; };
  return switchyard::plan_route(c, request, RouteSignals{draw, latency});
}

std::variant<RoutePlan, Error> plan_route(const Config& c, std::string_view model, double draw) {
  return plan_route(c, RouteRequest{model, {}, {}, {}}, {draw});
}

std::vector<std::string> routes_of(const std::variant<RoutePlan, Error>& result) {
  std::vector<std::string> out;
  if (auto* error = std::get_if<Error>(&result)) return {"error: " + error->message};
  for (const auto& c : std::get<RoutePlan>(result).candidates) out.push_back(c.provider->name + ":" + c.upstream_model);
  return out;
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
  for (const char* id : {"claude-sonnet-5", "nobody/model", "fast/", "llama-4"}) {  // no Anthropic provider here
    auto result = plan_route(c, id, 0.5);
    ASSERT_TRUE(std::holds_alternative<Error>(result)) << id;
    EXPECT_EQ(std::get<Error>(result).status, 404) << id;
    EXPECT_EQ(std::get<Error>(result).subject, id);
  }
}

TEST(Router, ABareFamilyNameGoesToEveryEnabledProviderOfItsType) {
  Config c = parse_config(R"(
providers:
  openai: {type: openai}
  groq: {type: openai, base_url: 'https://api.groq.com/openai/v1'}
  claude: {type: anthropic}
  claude-eu: {type: anthropic, base_url: 'https://eu.example.com'}
  claude-off: {type: anthropic, api_key: '${SWITCHYARD_TEST_NEVER_SET}'}
)",
                          "t");
  auto routes_of = [&](std::string_view model) {
    std::vector<std::string> routes;
    auto plan = plan_route(c, std::string(model), 0.5);
    for (const auto& candidate : std::get<RoutePlan>(plan).candidates)
      routes.push_back(candidate.provider->name + "/" + candidate.upstream_model);
    return routes;
  };
  EXPECT_EQ(routes_of("claude-sonnet-5"),
            (std::vector<std::string>{"claude/claude-sonnet-5", "claude-eu/claude-sonnet-5"}));
  // OpenAI's names go to OpenAI only, never to another host that speaks its API.
  EXPECT_EQ(routes_of("gpt-5.5"), (std::vector<std::string>{"openai/gpt-5.5"}));
  EXPECT_EQ(std::get<RoutePlan>(plan_route(c, "o3", 0.5)).candidates[0].model_id, "o3");
}

TEST(Router, AConfigsFamiliesReplaceTheBuiltInOnes) {
  Config c = parse_config(R"(
providers:
  fast: {type: openai, base_url: 'http://127.0.0.1:1/v1'}
  slow: {type: openai, base_url: 'http://127.0.0.1:2/v1'}
families:
  - {prefix: acme-, providers: [slow, fast]}
)",
                          "t");
  auto plan = std::get<RoutePlan>(plan_route(c, "acme-large", 0.5));
  ASSERT_EQ(plan.candidates.size(), 2u);
  EXPECT_EQ(plan.candidates[0].provider->name, "slow");
  EXPECT_TRUE(std::holds_alternative<Error>(plan_route(c, "gpt-5.5", 0.5)));  // the built-in list is replaced
  EXPECT_THROW(parse_config("providers: {}\nfamilies: [{prefix: x-, providers: [nobody]}]\n", "t"), ConfigError);
  EXPECT_THROW(parse_config("families: [{prefix: x-}]\n", "t"), ConfigError);
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
  auto error_of = [](const char* yaml) { return config_error_of(yaml); };
  EXPECT_EQ(
      error_of(
          "providers: {p: {type: openai}}\nmodels:\n  m: {routes: [{provider: p, model: x}], fallbacks: [nowhere]}\n"),
      "t.yaml:3: key 'models.m.fallbacks[0]': 'nowhere' is not another configured model or provider/model id");
  EXPECT_EQ(error_of("providers: {p: {type: openai}}\naliases: {a: {p/x: 60, p/y: 30}}\n"),
            "t.yaml:2: key 'aliases.a': percents must add up to 100 (they add up to 90)");
  EXPECT_EQ(error_of("providers: {p: {type: openai}}\naliases: {a: q/x}\n"),
            "t.yaml:2: key 'aliases.a': 'q/x' is not a configured model or provider/model id");
}

namespace {
Config strategies() {
  return parse_config(R"(
providers:
  a: {type: openai, base_url: 'http://127.0.0.1:1/v1'}
  b: {type: openai, base_url: 'http://127.0.0.1:2/v1'}
  c: {type: openai, base_url: 'http://127.0.0.1:3/v1'}
models:
  r/weighted:
    strategy: weighted
    routes: [{provider: a, model: x, weight: 3}, {provider: b, model: y, weight: 1}]
  r/fast:
    strategy: lowest-latency
    routes: [{provider: a, model: x}, {provider: b, model: y}, {provider: c, model: z}]
  r/cheap:
    strategy: lowest-cost
    price: {input: 5, output: 15}
    routes:
      - {provider: a, model: x}
      - {provider: b, model: y, price: {input: 0.5, output: 1.5}}
      - {provider: c, model: z, price: {input: 1, output: 2}}
  r/other:
    routes: [{provider: c, model: o}]
  r/by-ttft:
    strategy: sort
    sort: ttft
    routes: [{provider: a, model: x}, {provider: b, model: y}, {provider: c, model: z}]
  r/by-tps:
    strategy: sort
    sort: tps
    routes: [{provider: a, model: x}, {provider: b, model: y}, {provider: c, model: z}]
  r/by-cost:
    strategy: sort
    sort: cost
    routes:
      - {provider: a, model: x}
      - {provider: b, model: y, price: {input: 3, output: 3}}
      - {provider: c, model: z, price: {input: 1, output: 2}}
  r/primary:
    routes: [{provider: a, model: p1}, {provider: b, model: p2}]
    fallbacks: [r/secondary]
  r/secondary:
    routes: [{provider: a, model: s1}, {provider: c, model: s2}]
)",
                      "t");
}
}  // namespace

TEST(Strategy, WeightedFollowsTheWeightsAndTheRestComeAfter) {
  Config c = strategies();
  // 3:1 — draws below 0.75 pick a first, the others b; whoever is not drawn comes next.
  EXPECT_EQ(routes_of(plan_route(c, {"r/weighted", {}, {}, {}}, {0.0})), (std::vector<std::string>{"a:x", "b:y"}));
  EXPECT_EQ(routes_of(plan_route(c, {"r/weighted", {}, {}, {}}, {0.749})), (std::vector<std::string>{"a:x", "b:y"}));
  EXPECT_EQ(routes_of(plan_route(c, {"r/weighted", {}, {}, {}}, {0.75})), (std::vector<std::string>{"b:y", "a:x"}));
  int first_a = 0;
  for (int i = 0; i < 1000; ++i)
    first_a +=
        std::get<RoutePlan>(plan_route(c, {"r/weighted", {}, {}, {}}, {i / 1000.0})).candidates[0].provider->name ==
        "a";
  EXPECT_EQ(first_a, 750);
}

TEST(Strategy, LowestLatencyPicksTheFasterOfTwoAndTriesUnmeasuredRoutes) {
  Config c = strategies();
  LatencyTracker latency;
  // Nothing measured: every route counts as 0, the first of the two drawn wins.
  EXPECT_EQ(routes_of(plan_route(c, {"r/fast", {}, {}, {}}, {0.0, 0.0}, latency))[0], "a:x");
  latency.record_success("a", "x", std::chrono::microseconds(900));
  latency.record_success("b", "y", std::chrono::microseconds(100));
  latency.record_success("c", "z", std::chrono::microseconds(500));
  // Draws 0.0 and 0.0 compare a (900) with b (100): b, then the rest fastest first.
  EXPECT_EQ(routes_of(plan_route(c, {"r/fast", {}, {}, {}}, {0.0, 0.0}, latency)),
            (std::vector<std::string>{"b:y", "c:z", "a:x"}));
  // Draws pick a (index 0) and c (index 2 of 3, second draw 0.99 -> 1 of the other 2 -> 2): c wins.
  EXPECT_EQ(routes_of(plan_route(c, {"r/fast", {}, {}, {}}, {0.0, 0.99}, latency))[0], "c:z");
  // A failing route's average grows: b loses to c after two failures.
  latency.record_failure("b", "y");
  latency.record_failure("b", "y");
  EXPECT_GT(*latency.average("b", "y"), *latency.average("c", "z"));
  EXPECT_EQ(routes_of(plan_route(c, {"r/fast", {}, {}, {}}, {0.4, 0.99}, latency))[0], "c:z");
}

TEST(Strategy, LowestCostPutsTheCheapestPriceFirst) {
  Config c = strategies();
  // b: 0.5 + 1.5, c: 1 + 2, a: the model's own 5 + 15.
  EXPECT_EQ(routes_of(plan_route(c, {"r/cheap", {}, {}, {}})), (std::vector<std::string>{"b:y", "c:z", "a:x"}));
}

TEST(RequestRouting, ModelsOrderAndOnlyShapeThePlan) {
  Config c = strategies();
  std::vector<std::string> models{"r/other", "a/raw"}, order{"c", "b"}, only{"a", "c"};
  EXPECT_EQ(routes_of(plan_route(c, {"r/cheap", models, {}, {}})),
            (std::vector<std::string>{"b:y", "c:z", "a:x", "c:o", "a:raw"}));
  EXPECT_EQ(routes_of(plan_route(c, {"r/weighted", {}, order, {}}, {0.0})), (std::vector<std::string>{"b:y", "a:x"}));
  EXPECT_EQ(routes_of(plan_route(c, {"r/cheap", {}, {}, only})), (std::vector<std::string>{"c:z", "a:x"}));
  std::vector<std::string> none{"nobody"};
  auto refused = plan_route(c, {"r/weighted", {}, {}, none});
  ASSERT_TRUE(std::holds_alternative<Error>(refused));
  EXPECT_EQ(std::get<Error>(refused).status, 503);
  EXPECT_NE(std::get<Error>(refused).message.find("not in the request's `only` list"), std::string::npos);
  std::vector<std::string> unknown{"r/missing"};
  auto missing = plan_route(c, {"r/weighted", unknown, {}, {}});
  ASSERT_TRUE(std::holds_alternative<Error>(missing));
  EXPECT_EQ(std::get<Error>(missing).param, "models");
}

namespace {
using Order = std::vector<std::string>;
}  // namespace

TEST(Strategy, SortByTtftPutsUnmeasuredRoutesFirstThenTheFastest) {
  Config c = strategies();
  LatencyTracker latency;
  auto order = [&] { return routes_of(plan_route(c, {"r/by-ttft", {}, {}, {}}, {0.5}, latency)); };
  EXPECT_EQ(order(), (Order{"a:x", "b:y", "c:z"}));  // nothing measured: as configured
  latency.record_ttft("a", "x", std::chrono::milliseconds(900));
  EXPECT_EQ(order(), (Order{"b:y", "c:z", "a:x"}));  // the unmeasured first, as configured
  latency.record_ttft("b", "y", std::chrono::milliseconds(100));
  latency.record_ttft("c", "z", std::chrono::milliseconds(500));
  EXPECT_EQ(order(), (Order{"b:y", "c:z", "a:x"}));
  // Failures are slow first tokens: b's average goes 100 ms -> 370 ms -> 559 ms, past c's 500 ms.
  latency.record_failure("b", "y");
  EXPECT_EQ(order(), (Order{"b:y", "c:z", "a:x"}));
  latency.record_failure("b", "y");
  EXPECT_EQ(order(), (Order{"c:z", "b:y", "a:x"}));
}

TEST(Strategy, SortByTpsPutsUnmeasuredRoutesFirstThenTheHighestThroughput) {
  Config c = strategies();
  LatencyTracker latency;
  auto order = [&] { return routes_of(plan_route(c, {"r/by-tps", {}, {}, {}}, {0.5}, latency)); };
  latency.record_tps("a", "x", 20);
  latency.record_tps("b", "y", 90);
  EXPECT_EQ(order(), (Order{"c:z", "b:y", "a:x"}));
  latency.record_tps("c", "z", 50);
  EXPECT_EQ(order(), (Order{"b:y", "c:z", "a:x"}));
  LatencyTracker even;  // ties keep the configured order
  even.record_tps("c", "z", 50);
  even.record_tps("b", "y", 50);
  even.record_tps("a", "x", 50);
  EXPECT_EQ(routes_of(plan_route(c, {"r/by-tps", {}, {}, {}}, {0.5}, even)), (Order{"a:x", "b:y", "c:z"}));
}

TEST(Strategy, SortByCostPutsTheCheapestFirstAndTheUnpricedLast) {
  Config c = strategies();
  // c: 1 + 2, b: 3 + 3, a: no price.
  EXPECT_EQ(routes_of(plan_route(c, {"r/by-cost", {}, {}, {}})), (Order{"c:z", "b:y", "a:x"}));
}

TEST(RequestRouting, TheRequestsSortOrdersEachModelsRoutesWhateverItsStrategy) {
  Config c = strategies();
  LatencyTracker latency;
  latency.record_tps("a", "x", 90);
  latency.record_tps("b", "y", 10);
  latency.record_tps("c", "z", 50);
  latency.record_ttft("a", "x", std::chrono::milliseconds(900));
  latency.record_ttft("b", "y", std::chrono::milliseconds(100));
  // lowest-cost alone gives b, c, a.
  EXPECT_EQ(routes_of(plan_route(c, {"r/cheap", {}, {}, {}, SortBy::tps}, {0.5}, latency)),
            (Order{"a:x", "c:z", "b:y"}));
  // weighted alone, with a draw of 0, gives a, b.
  EXPECT_EQ(routes_of(plan_route(c, {"r/weighted", {}, {}, {}, SortBy::ttft}, {0.0}, latency)), (Order{"b:y", "a:x"}));
  // sort by ttft alone gives c (never measured), b, a.
  EXPECT_EQ(routes_of(plan_route(c, {"r/by-ttft", {}, {}, {}, SortBy::tps}, {0.5}, latency)),
            (Order{"a:x", "c:z", "b:y"}));
  // By cost, a model without prices keeps its configured order.
  EXPECT_EQ(routes_of(plan_route(c, {"r/by-tps", {}, {}, {}, SortBy::cost}, {0.5}, latency)),
            (Order{"a:x", "b:y", "c:z"}));
}

TEST(RequestRouting, SortingKeepsEachModelsRoutesTogetherAndTheRequestsOrderFirst) {
  Config c = strategies();
  LatencyTracker latency;
  latency.record_ttft("a", "p1", std::chrono::milliseconds(900));
  latency.record_ttft("b", "p2", std::chrono::milliseconds(100));
  latency.record_ttft("a", "s1", std::chrono::milliseconds(700));
  latency.record_ttft("c", "s2", std::chrono::milliseconds(50));
  // c:s2 is the fastest of all, but the fallback's routes come after the model's own.
  EXPECT_EQ(routes_of(plan_route(c, {"r/primary", {}, {}, {}, SortBy::ttft}, {0.5}, latency)),
            (Order{"b:p2", "a:p1", "c:s2", "a:s1"}));
  // The request's `order` goes before its sort.
  std::vector<std::string> order{"a"};
  EXPECT_EQ(routes_of(plan_route(c, {"r/primary", {}, order, {}, SortBy::ttft}, {0.5}, latency)),
            (Order{"a:p1", "b:p2", "a:s1", "c:s2"}));
}
