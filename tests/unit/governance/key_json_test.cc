// Keys and teams as JSON: the admin API's view never shows a secret or a digest; the record
// store's body round-trips every field; the admin API's fields are checked, each problem naming
// its field, and a refused change changes nothing.
#include "governance/key_json.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "core/calendar.h"
#include "core/digest.h"
#include "translate/json_parse.h"

using namespace switchyard;
namespace json = boost::json;

namespace {

constexpr int64_t kNow = 1'780'000'000'000;  // 2026-05-28T20:26:40Z

json::object object_of(std::string_view text) { return json::parse(text).as_object(); }

// A key as the admin API makes it, with every field set.
ApiKey full_key(std::string* secret = nullptr) {
  MintedKey minted = mint_key(kNow);
  if (secret) *secret = minted.secret;
  auto problem = apply_key_fields(object_of(R"({
      "team": "acme", "user": "alice", "name": "ci runner",
      "models": ["gpt-4o", "claude-sonnet-4"], "providers": ["openai"],
      "limits": {"rpm": 60, "tpm": 200000, "input_tpm": 150000, "output_tpm": 50000, "concurrent": 10},
      "budget": {"usd": 12.5, "period": "week", "mode": "soft", "exact": true},
      "metadata": {"owner": "platform", "tags": ["a", "b"], "n": 3},
      "expires_at": "2027-01-31T12:30:00Z"})"),
                                  minted.key);
  EXPECT_FALSE(problem) << *problem;
  minted.key.revoked = true;
  minted.key.updated_ms = kNow + 5'000;
  return minted.key;
}

// The key's fields as a comparable text, for "unchanged" checks.
std::string fields_of(const ApiKey& key) { return key_body(key); }

}  // namespace

TEST(KeyJson, AMintedKeyIsStoredAsItsDigestWithAVisiblePrefix) {
  MintedKey minted = mint_key(kNow);
  EXPECT_TRUE(minted.secret.starts_with("sk-sy-"));
  EXPECT_EQ(minted.secret.size(), 6u + 48u);
  EXPECT_EQ(minted.key.sha256, sha256(minted.secret));
  EXPECT_EQ(minted.key.key_id, "key_" + to_hex(sha256(minted.secret)).substr(0, 16));
  EXPECT_EQ(minted.key.prefix, minted.secret.substr(0, 10));
  EXPECT_FALSE(minted.key.from_file);
  EXPECT_EQ(minted.key.created_ms, kNow);
  EXPECT_NE(mint_key(kNow).secret, minted.secret);
}

TEST(KeyJson, TheViewNeverContainsTheDigestOrTheSecret) {
  std::string secret;
  const ApiKey key = full_key(&secret);
  const json::object view = key_view(key);
  const std::string text = serialize_json(view);
  EXPECT_EQ(text.find(to_hex(key.sha256)), std::string::npos) << text;
  EXPECT_EQ(text.find(secret), std::string::npos) << text;
  EXPECT_EQ(text.find(secret.substr(10)), std::string::npos) << "not even the secret's part after the prefix";
  EXPECT_EQ(text.find(key.sha256), std::string::npos) << "nor the raw digest";
  EXPECT_FALSE(view.contains("digest"));
  EXPECT_EQ(view.at("prefix").as_string(), secret.substr(0, 10));
  EXPECT_EQ(view.at("id").as_string(), key.key_id);
  EXPECT_EQ(view.at("source").as_string(), "api");
  EXPECT_EQ(view.at("expires_at").as_string(), "2027-01-31T12:30:00Z");
  EXPECT_EQ(view.at("created_at").as_string(), "2026-05-28T20:26:40Z");
  EXPECT_EQ(view.at("metadata").at("owner").as_string(), "platform");
  EXPECT_EQ(view.at("limits").at("rpm").as_int64(), 60);
  EXPECT_EQ(view.at("budget").at("mode").as_string(), "soft");
  EXPECT_TRUE(view.at("revoked").as_bool());
}

TEST(KeyJson, TheBodyHasTheDigestAndRoundTripsEveryField) {
  const ApiKey key = full_key();
  const std::string body = key_body(key);
  EXPECT_NE(body.find(to_hex(key.sha256)), std::string::npos);
  std::optional<ApiKey> back = key_from_body(body);
  ASSERT_TRUE(back) << body;
  EXPECT_EQ(back->sha256, key.sha256);
  EXPECT_EQ(back->key_id, key.key_id);
  EXPECT_EQ(back->prefix, key.prefix);
  EXPECT_EQ(back->team, "acme");
  EXPECT_EQ(back->user, "alice");
  EXPECT_EQ(back->name, "ci runner");
  EXPECT_EQ(back->access, key.access);
  EXPECT_EQ(back->access.limits, (Limits{60, 200000, 150000, 50000, 10}));
  ASSERT_TRUE(back->access.budget);
  EXPECT_EQ(*back->access.budget, (Budget{12.5, BudgetPeriod::week, false, true}));
  EXPECT_EQ(back->access.models, (std::vector<std::string>{"gpt-4o", "claude-sonnet-4"}));
  EXPECT_EQ(back->access.providers, (std::vector<std::string>{"openai"}));
  EXPECT_EQ(object_of(back->metadata), object_of(key.metadata));
  EXPECT_EQ(back->expires_ms, key.expires_ms);
  EXPECT_EQ(back->expires_ms, unix_ms_of("2027-01-31T12:30:00Z"));
  EXPECT_TRUE(back->revoked);
  EXPECT_EQ(back->created_ms, kNow);
  EXPECT_EQ(back->updated_ms, kNow + 5'000);
  EXPECT_FALSE(back->from_file);
  EXPECT_EQ(key_body(*back), body) << "a second round gives the same body";
}

TEST(KeyJson, ABareKeyRoundTripsWithNothingSet) {
  ApiKey key = mint_key(kNow).key;
  key.team = "acme";
  std::optional<ApiKey> back = key_from_body(key_body(key));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->user, "");
  EXPECT_FALSE(back->access.budget);
  EXPECT_FALSE(back->access.limits.any());
  EXPECT_TRUE(back->access.models.empty());
  EXPECT_FALSE(back->expires_ms);
  EXPECT_FALSE(back->revoked);
  EXPECT_EQ(back->metadata, "{}");
  const json::object view = key_view(key);
  EXPECT_TRUE(view.at("user").is_null());
  EXPECT_TRUE(view.at("budget").is_null());
  EXPECT_TRUE(view.at("expires_at").is_null());
}

TEST(KeyJson, ABodyWithoutADigestOrIdIsNotAKey) {
  ApiKey key = full_key();
  json::object body = object_of(key_body(key));
  body.erase("digest");
  EXPECT_FALSE(key_from_body(serialize_json(body)));
  body = object_of(key_body(key));
  body["digest"] = "not hex";
  EXPECT_FALSE(key_from_body(serialize_json(body)));
  body = object_of(key_body(key));
  body.erase("id");
  EXPECT_FALSE(key_from_body(serialize_json(body)));
  EXPECT_FALSE(key_from_body("[]"));
  EXPECT_FALSE(key_from_body("{"));
}

TEST(KeyJson, ApplyKeyFieldsRefusesWhatIsWrongNamingTheFieldAndLeavesTheKeyUnchanged) {
  struct Case {
    const char* fields;
    const char* starts;
  };
  const Case cases[] = {
      {R"({"name": "renamed", "color": "red"})", "color: unknown field"},
      {R"({"name": "renamed", "limits": {"rpm": -1}})", "limits.rpm: must be a whole number >= 0"},
      {R"({"limits": {"rpm": 1.5}})", "limits.rpm: must be a whole number"},
      {R"({"limits": {"tpm": "many"}})", "limits.tpm: must be a whole number"},
      {R"({"limits": {"burst": 1}})", "limits.burst: unknown field"},
      {R"({"limits": "fast"})", "limits: must be an object"},
      {R"({"name": "renamed", "budget": {"usd": -1}})", "budget.usd: must be a number >= 0"},
      {R"({"budget": {"usd": "ten"}})", "budget.usd: must be a number >= 0"},
      {R"({"budget": {"usd": 5, "period": "year"}})", "budget.period: must be day, week or month"},
      {R"({"budget": {"usd": 5, "mode": "strict"}})", "budget.mode: must be hard or soft"},
      {R"({"budget": {"usd": 5, "exact": "yes"}})", "budget.exact: must be true or false"},
      {R"({"budget": {"usd": 5, "cap": 1}})", "budget.cap: unknown field"},
      {R"({"budget": {"period": "day"}})", "budget.usd: is required"},
      {R"({"budget": 5})", "budget: must be an object"},
      {R"({"name": "renamed", "expires_at": "2027-02-30"})", "expires_at: must be an ISO 8601 time"},
      {R"({"expires_at": "tomorrow"})", "expires_at: must be an ISO 8601 time"},
      {R"({"expires_at": 1800000000000})", "expires_at: must be an ISO 8601 time"},
      {R"({"expires_at": "2027-01-31T25:00:00Z"})", "expires_at: must be an ISO 8601 time"},
      {R"({"team": ""})", "team: must be a string"},
      {R"({"team": 7})", "team: must be a string"},
      {R"({"models": ["gpt-4o", 3]})", "models: must be a list of names"},
      {R"({"providers": "openai"})", "providers: must be a list of names"},
      {R"({"metadata": [1]})", "metadata: must be an object"},
  };
  for (const Case& c : cases) {
    ApiKey key = full_key();
    const std::string before = fields_of(key);
    std::optional<std::string> problem = apply_key_fields(object_of(c.fields), key);
    ASSERT_TRUE(problem) << c.fields;
    EXPECT_TRUE(problem->starts_with(c.starts)) << c.fields << " -> " << *problem;
    EXPECT_EQ(fields_of(key), before) << c.fields;
  }
}

TEST(KeyJson, ApplyKeyFieldsNullRemovesBudgetExpiryUserAndLimits) {
  ApiKey key = full_key();
  ASSERT_FALSE(apply_key_fields(
      object_of(R"({"budget": null, "expires_at": null, "user": null, "limits": null, "models": null})"), key));
  EXPECT_FALSE(key.access.budget);
  EXPECT_FALSE(key.expires_ms);
  EXPECT_EQ(key.user, "");
  EXPECT_FALSE(key.access.limits.any());
  EXPECT_TRUE(key.access.models.empty());
  EXPECT_EQ(key.access.providers, (std::vector<std::string>{"openai"})) << "fields not named stay";
  EXPECT_EQ(key.team, "acme");
}

TEST(KeyJson, ApplyKeyFieldsTakesADateOrATimeForExpiresAt) {
  ApiKey key = full_key();
  ASSERT_FALSE(apply_key_fields(object_of(R"({"expires_at": "2027-01-31"})"), key));
  EXPECT_EQ(key.expires_ms, *parse_day("2027-01-31") * kDayMs);
  ASSERT_FALSE(apply_key_fields(object_of(R"({"expires_at": "2027-01-31T00:00:01.250Z"})"), key));
  EXPECT_EQ(key.expires_ms, *parse_day("2027-01-31") * kDayMs + 1'250);
}

TEST(KeyJson, ATeamRoundTripsThroughItsBody) {
  TeamPolicy team;
  team.name = "acme";
  team.updated_ms = kNow;
  ASSERT_FALSE(apply_team_fields(object_of(R"({
      "name": "ignored: a team's name is not a field to change",
      "segment": "b2b", "limits": {"rpm": 600, "concurrent": 20},
      "budget": {"usd": 1000, "period": "month", "mode": "soft"},
      "models": ["gpt-4o"], "providers": ["openai", "anthropic"],
      "user_limits": {"rpm": 20, "tpm": 5000}, "user_budget": {"usd": 10, "period": "day", "exact": true}})"),
                                 team));
  EXPECT_EQ(team.name, "acme");
  EXPECT_EQ(team.segment, "b2b");
  EXPECT_EQ(team.user_budget, (Budget{10, BudgetPeriod::day, true, true}));
  std::optional<TeamPolicy> back = team_from_body(team_body(team));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, team);

  const json::object view = team_view(team, true);
  EXPECT_EQ(view.at("source").as_string(), "config");
  EXPECT_EQ(view.at("updated_at").as_string(), "2026-05-28T20:26:40Z");
  EXPECT_EQ(view.at("user_limits").at("tpm").as_int64(), 5000);
}

TEST(KeyJson, ApplyTeamFieldsRefusesWhatIsWrongAndLeavesTheTeamUnchanged) {
  TeamPolicy team;
  team.name = "acme";
  team.segment = "b2b";
  for (const char* fields : {R"({"segment": "smb", "color": 1})", R"({"segment": "smb", "user_limits": {"rpm": -2}})",
                             R"({"segment": "smb", "user_budget": {"usd": 1, "period": "hour"}})"}) {
    TeamPolicy changed = team;
    std::optional<std::string> problem = apply_team_fields(object_of(fields), changed);
    ASSERT_TRUE(problem) << fields;
    EXPECT_EQ(changed, team) << fields;
  }
  TeamPolicy changed = team;
  EXPECT_TRUE(
      apply_team_fields(object_of(R"({"user_limits": {"rpm": -2}})"), changed)->starts_with("user_limits.rpm:"));
  EXPECT_TRUE(apply_team_fields(object_of(R"({"user_budget": {"usd": 1, "period": "hour"}})"), changed)
                  ->starts_with("user_budget.period:"));
  EXPECT_FALSE(team_from_body(R"({"segment": "b2b"})")) << "a team body names its team";
}
