#include "pipeline/auth.h"

#include <gtest/gtest.h>

using namespace switchyard;

namespace {
Config with_keys() {
  return parse_config("auth: {keys: [{key: sk-acme-secret-1, team: acme}, {key: sk-beta-secret-2, team: beta}]}\n",
                      "t");
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
