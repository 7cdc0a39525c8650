#include "translate/openai_request.h"

#include <gtest/gtest.h>

#include "core/config.h"
#include "fixtures.h"

using namespace switchyard;

namespace {
RequestView parse_ok(std::string body, OpenAIEndpoint endpoint = OpenAIEndpoint::chat_completions) {
  auto result = parse_openai_request(body, endpoint);
  if (auto* error = std::get_if<Error>(&result)) ADD_FAILURE() << error->message;
  return std::get<RequestView>(result);
}
Error parse_error(std::string body, OpenAIEndpoint endpoint = OpenAIEndpoint::chat_completions) {
  auto result = parse_openai_request(body, endpoint);
  EXPECT_TRUE(std::holds_alternative<Error>(result)) << body;
  return std::holds_alternative<Error>(result) ? std::get<Error>(result) : Error{};
}
}  // namespace

TEST(OpenAIRequest, ReadsModelAndStreamFlagsFromARecordedRequest) {
  auto view = parse_ok(fixture("openai/chat_request_tools.json"));
  EXPECT_EQ(view.model, "acme/chat");
  EXPECT_TRUE(view.stream);
  EXPECT_TRUE(view.include_usage);
}

TEST(OpenAIRequest, SplicesOnlyTheTopLevelModel) {
  std::string body = fixture("openai/chat_request_tools.json");
  auto view = parse_ok(body);
  std::string out = splice_model(body, view, "gpt-4o-mini");
  // Exactly the model token changed; the "model" strings nested in messages and tools did not.
  std::string expected = body;
  expected.replace(expected.find("\"acme/chat\""), 11, "\"gpt-4o-mini\"");
  EXPECT_EQ(out, expected);
}

TEST(OpenAIRequest, SplicingEscapesTheNewModel) {
  std::string body = R"({"messages":[{"role":"user","content":"x"}],"model":"a\"b"})";
  auto view = parse_ok(body);
  EXPECT_EQ(view.model, "a\"b");
  EXPECT_EQ(splice_model(body, view, "q\"z"), R"({"messages":[{"role":"user","content":"x"}],"model":"q\"z"})");
}

TEST(OpenAIRequest, StreamDefaultsToOff) {
  auto view = parse_ok(R"({"model":"m","messages":[{"role":"user","content":"x"}],"stream":null})");
  EXPECT_FALSE(view.stream);
  EXPECT_FALSE(view.include_usage);
}

TEST(OpenAIRequest, ReadsARecordedEmbeddingsRequest) {
  auto view = parse_ok(fixture("openai/embeddings_request.json"), OpenAIEndpoint::embeddings);
  EXPECT_EQ(view.model, "text-embedding-3-small");
}

TEST(OpenAIRequest, RejectsBadRequestsNamingTheField) {
  EXPECT_EQ(parse_error(R"({"model":"m","messages":[)").status, 400);
  EXPECT_EQ(parse_error("[1,2]").message, "the request body must be a JSON object");
  EXPECT_EQ(parse_error(R"({"messages":[{"role":"user"}]})").param, "model");
  EXPECT_EQ(parse_error(R"({"model":7,"messages":[{"role":"user"}]})").message, "'model' must be a string");
  EXPECT_EQ(parse_error(R"({"model":"","messages":[{"role":"user"}]})").message, "'model' must not be empty");
  EXPECT_EQ(parse_error(R"({"model":"m"})").param, "messages");
  EXPECT_EQ(parse_error(R"({"model":"m","messages":[]})").message, "'messages' must contain at least one message");
  EXPECT_EQ(parse_error(R"({"model":"m","messages":[{"content":"x"}]})").param, "messages[0].role");
  EXPECT_EQ(parse_error(R"({"model":"m","messages":[{"role":"user"}],"stream":"yes"})").param, "stream");
  EXPECT_EQ(parse_error(R"({"model":"m","messages":[{"role":"user"}],"stream_options":{"include_usage":1}})").param,
            "stream_options.include_usage");
  EXPECT_EQ(parse_error(R"({"model":"m"})", OpenAIEndpoint::embeddings).param, "input");
  EXPECT_EQ(parse_error(R"({"model":"m","input":[]})", OpenAIEndpoint::embeddings).param, "input");
  EXPECT_EQ(parse_error(R"({"model":"m","input":{"a":1}})", OpenAIEndpoint::embeddings).param, "input");
}

namespace {
// A JSON object nested `depth` deep: {"a":{"a":...{}}}.
std::string nested(int depth) {
  std::string out;
  for (int i = 0; i < depth; ++i) out += R"({"a":)";
  out += "{}";
  out.append(depth, '}');
  return out;
}
}  // namespace

TEST(OpenAIRequest, RefusesAKeyTheGatewayReadsGivenTwice) {
  // simdjson reads the first value, Boost.JSON and the upstream the last: routing and pricing
  // would follow one model while another runs.
  auto error = parse_error(R"({"model":"cheap/model","messages":[{"role":"user","content":"hi"}],"model":"o1-pro"})");
  EXPECT_EQ(error.status, 400);
  EXPECT_EQ(error.param, "model");
  EXPECT_NE(error.message.find("'model' more than once"), std::string::npos) << error.message;
  error = parse_error(R"({"model":"m","stream":false,"messages":[{"role":"user","content":"hi"}],"stream":true})");
  EXPECT_EQ(error.param, "stream");
  error = parse_error(R"({"model":"m","messages":[{"role":"user","content":"hi"}],"m\u006fdel":"x"})");
  EXPECT_EQ(error.param, "model") << "an escaped key is the same key";
}

TEST(OpenAIRequest, RefusesAModelIdThatCouldSplitAMessage) {
  for (const char* model : {R"(sim-gemini/x\r\nX-Injected: 1)", R"(sim/a\u0000b)", R"(sim/\n)"}) {
    auto error =
        parse_error(std::string(R"({"model":")") + model + R"(","messages":[{"role":"user","content":"hi"}]})");
    EXPECT_EQ(error.param, "model") << model;
  }
  auto error =
      parse_error(R"({"model":")" + std::string(300, 'm') + R"(","messages":[{"role":"user","content":"hi"}]})");
  EXPECT_EQ(error.param, "model");
}

TEST(OpenAIRequest, CapsUserAndTagsAtParseTime) {
  auto error = parse_error(R"({"model":"m","user":")" + std::string(300, 'u') +
                           R"(","messages":[{"role":"user","content":"x"}]})");
  EXPECT_EQ(error.param, "user");
  std::string tags;
  for (int i = 0; i < 40; ++i) tags += (i ? ",\"t" : "\"t") + std::to_string(i) + "\"";
  error =
      parse_error(R"({"model":"m","messages":[{"role":"user","content":"x"}],"providerOptions":{"gateway":{"tags":[)" +
                  tags + "]}}}");
  EXPECT_EQ(error.param, "providerOptions.gateway.tags");
  error = parse_error(
      R"({"model":"m","messages":[{"role":"user","content":"x"}],"providerOptions":{"gateway":{"user":"a\u0001"}}})");
  EXPECT_EQ(error.param, "providerOptions.gateway.user");
}

TEST(OpenAIRequest, ReadsTheGatewaySortAndRefusesAnyOtherWord) {
  const std::string head = R"({"model":"m","messages":[{"role":"user","content":"x"}],"providerOptions":{"gateway":)";
  EXPECT_EQ(parse_ok(head + R"({"sort":"cost"}}})").gateway.sort, SortBy::cost);
  EXPECT_EQ(parse_ok(head + R"({"sort":"ttft"}}})").gateway.sort, SortBy::ttft);
  RequestView tps = parse_ok(head + R"({"sort":"tps","order":["a"]}}})");
  EXPECT_EQ(tps.gateway.sort, SortBy::tps);
  EXPECT_TRUE(tps.gateway.in_body);  // stripped before the body goes upstream
  EXPECT_EQ(parse_ok(head + R"({"order":["a"]}}})").gateway.sort, std::nullopt);
  for (const char* sort : {R"("latency")", R"("TTFT")", R"("")", "1", "null", R"(["tps"])"}) {
    Error error = parse_error(head + R"({"sort":)" + sort + "}}}");
    EXPECT_EQ(error.status, 400) << sort;
    EXPECT_EQ(error.param, "providerOptions.gateway.sort") << sort;
    EXPECT_EQ(error.message, R"('providerOptions.gateway.sort' must be one of "cost", "ttft", "tps")") << sort;
  }
}

TEST(OpenAIRequest, ADeeplyNestedToolSchemaIsRewrittenForAStream) {
  // Validated to simdjson's depth, then re-parsed by Boost.JSON (default limit 32) for the rewrite.
  std::string body = R"({"model":"m","stream":true,"messages":[{"role":"user","content":"x"}],)"
                     R"("tools":[{"type":"function","function":{"name":"f","parameters":)" +
                     nested(40) + "}}]}";
  RequestView view = parse_ok(body);
  ASSERT_TRUE(needs_upstream_rewrite(view, OpenAIEndpoint::chat_completions));
  auto error = rewrite_for_upstream(body, OpenAIEndpoint::chat_completions, view);
  EXPECT_FALSE(error) << error->message;
  EXPECT_NE(body.find(R"("include_usage":true)"), std::string::npos);
}
