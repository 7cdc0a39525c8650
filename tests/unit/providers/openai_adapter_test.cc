#include "providers/openai/openai_adapter.h"

#include <gtest/gtest.h>

#include "fixtures.h"

using namespace switchyard;

namespace {
Config config() {
  return parse_config(R"(
providers:
  groq: {type: openai, base_url: 'https://api.groq.com/openai/v1', api_key: gsk-provider-key}
  local: {type: openai, base_url: 'http://127.0.0.1:11434/v1'}
)",
                      "t");
}
}  // namespace

TEST(OpenAIAdapter, BuildsTheUpstreamChatRequestFromARecordedOne) {
  Config c = config();
  std::string body = fixture("openai/chat_request_tools.json");
  auto view = std::get<RequestView>(parse_openai_request(body, OpenAIEndpoint::chat_completions));
  Candidate candidate{&c.providers.at("groq"), "llama-3.3-70b-versatile"};
  auto request = std::get<UpstreamRequest>(
      OpenAIAdapter{}.build_request({OpenAIEndpoint::chat_completions, body, view}, candidate));
  EXPECT_EQ(request.method, http::verb::post);
  EXPECT_EQ(request.target, "/openai/v1/chat/completions");
  EXPECT_EQ(request.header_lines,
            "Content-Type: application/json\r\nAccept: text/event-stream\r\nUser-Agent: switchyard\r\n"
            "Authorization: Bearer gsk-provider-key\r\n");
  EXPECT_EQ(request.body, splice_model(body, view, "llama-3.3-70b-versatile"));
}

TEST(OpenAIAdapter, SendsNoCredentialsToAProviderWithoutAKey) {
  Config c = config();
  std::string body = fixture("openai/embeddings_request.json");
  auto view = std::get<RequestView>(parse_openai_request(body, OpenAIEndpoint::embeddings));
  Candidate candidate{&c.providers.at("local"), "text-embedding-3-small"};
  auto request =
      std::get<UpstreamRequest>(OpenAIAdapter{}.build_request({OpenAIEndpoint::embeddings, body, view}, candidate));
  EXPECT_EQ(request.target, "/v1/embeddings");
  EXPECT_EQ(request.header_lines.find("Authorization"), std::string::npos);
  EXPECT_EQ(request.body, body) << "same model name: the body goes as it came";
}

TEST(OpenAIAdapter, OnlyOpenAIProvidersArePassedThrough) {
  EXPECT_TRUE(adapter_for(ProviderType::openai).answers_in_openai_format());
  EXPECT_FALSE(adapter_for(ProviderType::anthropic).answers_in_openai_format());
  EXPECT_FALSE(adapter_for(ProviderType::gemini).answers_in_openai_format());
}
