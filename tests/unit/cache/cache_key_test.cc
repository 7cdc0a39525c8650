// cache_key: requests that must get the same answer share a key, and no others do.
#include "cache/cache_key.h"

#include <gtest/gtest.h>

#include <string>

using namespace switchyard;

namespace {

constexpr std::string_view kBody =
    R"({"model":"gpt","messages":[{"role":"user","content":"hi"}],"temperature":0.5,)"
    R"("tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{}}}}]})";

CacheKeyParts parts(std::string_view body = kBody) {
  return CacheKeyParts{.team = "acme", .endpoint = "/v1/chat/completions", .model_id = "gpt-4o", .body = body};
}

std::string key_of(const CacheKeyParts& p) {
  auto key = cache_key(p);
  EXPECT_TRUE(key) << p.body;
  return key.value_or("");
}

std::string key_of(std::string_view body) { return key_of(parts(body)); }

TEST(CacheKey, IsAHexSha256) {
  const std::string key = key_of(kBody);
  EXPECT_EQ(key.size(), 64u);
  EXPECT_EQ(key.find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST(CacheKey, KeyOrderAndWhitespaceDoNotMatterAtAnyDepth) {
  const std::string reordered = R"(
    { "tools" : [ { "function" : { "parameters" : { "properties" : { }, "type" : "object" }, "name" : "f" },
                    "type" : "function" } ],
      "temperature" : 0.5,
      "messages" : [ { "content" : "hi", "role" : "user" } ],
      "model" : "gpt" }
  )";
  EXPECT_EQ(key_of(reordered), key_of(kBody));
}

TEST(CacheKey, NumbersAndStringsAreComparedByValue) {
  EXPECT_EQ(key_of(R"({"temperature":1,"messages":[]})"), key_of(R"({"temperature":1.0,"messages":[]})"));
  EXPECT_EQ(key_of(R"({"temperature":100,"messages":[]})"), key_of(R"({"temperature":1e2,"messages":[]})"));
  EXPECT_EQ(key_of(R"({"messages":[{"content":"A\/"}]})"), key_of(R"({"messages":[{"content":"\u0041/"}]})"));
  EXPECT_NE(key_of(R"({"temperature":1,"messages":[]})"), key_of(R"({"temperature":"1","messages":[]})"));
}

TEST(CacheKey, FieldsThatDoNotChangeTheAnswerDoNotMatter) {
  const std::string base = R"({"messages":[{"role":"user","content":"hi"}])";
  const std::string plain = key_of(base + "}");
  for (const char* field :
       {R"("model":"other")", R"("user":"u-1")", R"("metadata":{"trace":"x"})", R"("store":true)",
        R"("safety_identifier":"s")", R"("prompt_cache_key":"p")", R"("providerOptions":{"gateway":{"user":"u"}})",
        R"("providerOptions":{"gateway":{"tags":["a","b"],"byok":{"openai":[{"apiKey":"sk"}]}}})"})
    EXPECT_EQ(key_of(base + "," + field + "}"), plain) << field;
}

TEST(CacheKey, OtherGatewayOptionsAndProviderOptionsStillMatter) {
  const std::string with_order =
      key_of(R"({"messages":[],"providerOptions":{"gateway":{"order":["openai"],"user":"u"}}})");
  EXPECT_EQ(with_order, key_of(R"({"messages":[],"providerOptions":{"gateway":{"order":["openai"]}}})"));
  EXPECT_NE(with_order, key_of(R"({"messages":[],"providerOptions":{"gateway":{"order":["vertex"]}}})"));
  EXPECT_NE(key_of(R"({"messages":[]})"),
            key_of(R"({"messages":[],"providerOptions":{"anthropic":{"thinking":{"type":"enabled"}}}})"));
  // Only the top level's fields are dropped: a "user" inside a message is content.
  EXPECT_NE(key_of(R"({"messages":[{"role":"user","content":"hi"}]})"),
            key_of(R"({"messages":[{"role":"user","content":"hi","user":"x"}]})"));
}

TEST(CacheKey, WhatDecidesTheAnswerMatters) {
  const std::string base = key_of(parts());
  auto changed = [&](auto change) {
    CacheKeyParts p = parts();
    change(p);
    return key_of(p);
  };
  EXPECT_NE(changed([](CacheKeyParts& p) { p.model_id = "gpt-4o-mini"; }), base);
  EXPECT_NE(changed([](CacheKeyParts& p) { p.team = "other"; }), base);
  EXPECT_NE(changed([](CacheKeyParts& p) { p.team = ""; }), base);
  EXPECT_NE(changed([](CacheKeyParts& p) { p.endpoint = "/v1/messages"; }), base);
  EXPECT_NE(changed([](CacheKeyParts& p) { p.streamed = true; }), base);
  const std::string body(kBody);
  auto with = [&](std::string_view from, std::string_view to) {
    std::string changed_body = body;
    changed_body.replace(changed_body.find(from), from.size(), to);
    return key_of(changed_body);
  };
  EXPECT_NE(with(R"("content":"hi")", R"("content":"hello")"), base);
  EXPECT_NE(with(R"("temperature":0.5)", R"("temperature":0.7)"), base);
  EXPECT_NE(with(R"("name":"f")", R"("name":"g")"), base);
  EXPECT_NE(with(R"("properties":{})", R"("properties":{"x":{"type":"string"}})"), base);
}

TEST(CacheKey, PartsCannotBeShiftedIntoEachOther) {
  CacheKeyParts a = parts(), b = parts();
  a.team = "ac";
  a.endpoint = "me/v1";
  b.team = "acme/";
  b.endpoint = "v1";
  EXPECT_NE(key_of(a), key_of(b));
}

TEST(CacheKey, ArrayOrderMatters) {
  EXPECT_NE(key_of(R"({"messages":[{"role":"user","content":"a"},{"role":"user","content":"b"}]})"),
            key_of(R"({"messages":[{"role":"user","content":"b"},{"role":"user","content":"a"}]})"));
}

TEST(CacheKey, ABodyThatIsNotAJsonObjectHasNoKey) {
  for (std::string_view body : {"", "[]", "\"text\"", "42", "null", "{", "{\"a\":}", "{} {}", "{\"a\":1}x"})
    EXPECT_FALSE(cache_key(parts(body))) << body;
}

TEST(CacheKey, ABodyNestedPastTheParsersLimitHasNoKey) {
  const std::string deep = "{\"a\":" + std::string(2000, '[') + std::string(2000, ']') + "}";
  EXPECT_FALSE(cache_key(parts(deep)));
  const std::string shallow = "{\"a\":" + std::string(100, '[') + std::string(100, ']') + "}";
  EXPECT_TRUE(cache_key(parts(shallow)));
}

}  // namespace
