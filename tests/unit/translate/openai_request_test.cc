#include "translate/openai_request.h"

#include <gtest/gtest.h>

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
