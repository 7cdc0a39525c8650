#include "pipeline/auth.h"

#include <gtest/gtest.h>

#include "core/digest.h"

using namespace switchyard;

namespace {
Config with_keys() {
  return parse_config("auth: {keys: [{key: sk-acme-secret-1, team: acme}, {key: sk-beta-secret-2, team: beta}]}\n",
                      "t");
}
constexpr int64_t kNow = 1'780'000'000'000;  // 2026-05-28

// The phase as the gateway calls it: the file's keys (and any the admin API made) at `now`.
std::variant<ClientIdentity, Error> authenticate(const Config& config, const http::request_header<>& header,
                                                 int64_t now = kNow) {
  return switchyard::authenticate(config, KeyTable(config).snapshot(), header, now);
}

http::request_header<> header(std::string_view name, std::string_view value) {
  http::request_header<> h;
  h.set(name, value);
  return h;
}
}  // namespace

TEST(Auth, WithoutKeysEveryoneIsTheDefaultTeam) {
  auto result = authenticate(parse_config("providers: {}\n", "t"), {});
  ASSERT_TRUE(std::holds_alternative<ClientIdentity>(result));
  EXPECT_EQ(std::get<ClientIdentity>(result).team, "default");
}

TEST(Auth, AcceptsBearerAndXApiKey) {
  Config c = with_keys();
  auto bearer = authenticate(c, header("authorization", "Bearer sk-beta-secret-2"));
  ASSERT_TRUE(std::holds_alternative<ClientIdentity>(bearer));
  EXPECT_EQ(std::get<ClientIdentity>(bearer).team, "beta");
  EXPECT_EQ(std::get<ClientIdentity>(bearer).key_id.size(), 8u);
  auto x_api_key = authenticate(c, header("x-api-key", "sk-acme-secret-1"));
  ASSERT_TRUE(std::holds_alternative<ClientIdentity>(x_api_key));
  EXPECT_EQ(std::get<ClientIdentity>(x_api_key).team, "acme");
}

TEST(Auth, RejectsMissingAndWrongKeys) {
  Config c = with_keys();
  auto missing = authenticate(c, {});
  ASSERT_TRUE(std::holds_alternative<Error>(missing));
  EXPECT_EQ(std::get<Error>(missing).status, 401);
  auto wrong = authenticate(c, header("authorization", "Bearer sk-acme-secret-X"));
  ASSERT_TRUE(std::holds_alternative<Error>(wrong));
  EXPECT_EQ(std::get<Error>(wrong).message, "invalid API key");
}

TEST(Auth, AcceptsGooglesHeaderAndQueryKey) {
  Config c = with_keys();
  auto goog = authenticate(c, header("x-goog-api-key", "sk-acme-secret-1"));
  ASSERT_TRUE(std::holds_alternative<ClientIdentity>(goog));
  EXPECT_EQ(std::get<ClientIdentity>(goog).team, "acme");
  http::request_header<> query;
  query.target("/v1beta/models/m:generateContent?alt=sse&key=sk-beta-secret-2");
  auto by_query = authenticate(c, query);
  ASSERT_TRUE(std::holds_alternative<ClientIdentity>(by_query));
  EXPECT_EQ(std::get<ClientIdentity>(by_query).team, "beta");
  query.target("/v1beta/models/m:generateContent?mykey=sk-beta-secret-2");  // not the `key` parameter
  EXPECT_TRUE(std::holds_alternative<Error>(authenticate(c, query)));
}

TEST(Auth, RefusesRevokedAndExpiredKeys) {
  Config c = parse_config(
      "auth: {keys: [{key: sk-acme-secret-1, team: acme, expires_at: 2026-06-01}]}\n"
      "teams: {acme: {limits: {rpm: 5}}}\n",
      "t");
  auto before = authenticate(c, header("x-api-key", "sk-acme-secret-1"), kNow);
  ASSERT_TRUE(std::holds_alternative<ClientIdentity>(before));
  ASSERT_NE(std::get<ClientIdentity>(before).policy, nullptr);  // the team's policy comes with the key
  EXPECT_EQ(std::get<ClientIdentity>(before).policy->access.limits.rpm, 5);
  auto after = authenticate(c, header("x-api-key", "sk-acme-secret-1"), kNow + 4 * 86'400'000LL);
  ASSERT_TRUE(std::holds_alternative<Error>(after));
  EXPECT_EQ(std::get<Error>(after).message, "this API key has expired");

  KeyTable table(c);
  ApiKey revoked = c.keys[0];
  revoked.key_id = "key_0123456789abcdef";
  revoked.from_file = false;
  revoked.revoked = true;
  revoked.sha256 = sha256("sk-sy-revoked-one");
  table.merge({revoked}, {});
  auto refused = switchyard::authenticate(c, table.snapshot(), header("x-api-key", "sk-sy-revoked-one"), kNow);
  ASSERT_TRUE(std::holds_alternative<Error>(refused));
  EXPECT_EQ(std::get<Error>(refused).message, "this API key was revoked");
}
