#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "pipeline/client_format.h"
#include "translate/reasoning_token.h"

using namespace switchyard;

namespace {

http::request_header<> post(std::string_view target) {
  http::request_header<> head;
  head.method(http::verb::post);
  head.target(target);
  return head;
}

}  // namespace

TEST(GeminiClient, ReadsTheModelAndMethodFromThePath) {
  std::string body = R"({"contents":[{"role":"user","parts":[{"text":"hi"}]}]})";
  auto parsed = gemini_client().parse(body, WireApi::generate_content,
                                      post("/v1beta/models/sim%2Fecho:streamGenerateContent?alt=sse"));
  ASSERT_TRUE(std::holds_alternative<ClientRequest>(parsed)) << std::get<Error>(parsed).message;
  EXPECT_EQ(std::get<ClientRequest>(parsed).view.model, "sim/echo");
  EXPECT_TRUE(std::get<ClientRequest>(parsed).view.stream);
  // @ai-sdk/google leaves models/ out for ids with a slash.
  auto bare = gemini_client().parse(body, WireApi::generate_content, post("/v1beta/sim/echo:generateContent"));
  ASSERT_TRUE(std::holds_alternative<ClientRequest>(bare));
  EXPECT_EQ(std::get<ClientRequest>(bare).view.model, "sim/echo");
  // A JSON-array stream is not served; an unknown method is not found.
  auto array_stream =
      gemini_client().parse(body, WireApi::generate_content, post("/v1beta/models/m:streamGenerateContent"));
  ASSERT_TRUE(std::holds_alternative<Error>(array_stream));
  EXPECT_EQ(std::get<Error>(array_stream).status, 400);
  auto unknown = gemini_client().parse(body, WireApi::generate_content, post("/v1beta/models/m:predict"));
  ASSERT_TRUE(std::holds_alternative<Error>(unknown));
  EXPECT_EQ(std::get<Error>(unknown).status, 404);
}

TEST(GeminiClient, ANativeRequestLeavesOutSignaturesThisGatewayWrote) {
  // A history with Anthropic's signed reasoning, carried as a gateway token, and Gemini's own
  // signature on a call: a Gemini provider gets its own signature only.
  std::string token = write_thought_signature({"thinking", "anthropic-signature", {}});
  std::string body = boost::json::serialize(boost::json::object{
      {"contents",
       boost::json::array{
           boost::json::object{{"role", "user"}, {"parts", boost::json::array{{{"text", "go"}}}}},
           boost::json::object{
               {"role", "model"},
               {"parts", boost::json::array{{{"text", "thinking"}, {"thought", true}, {"thoughtSignature", token}},
                                            {{"functionCall", {{"name", "run"}, {"args", boost::json::object{}}}},
                                             {"thoughtSignature", "Z2VtaW5p"}}}}}}}});
  auto parsed = gemini_client().parse(body, WireApi::generate_content, post("/v1beta/models/g:generateContent"));
  ASSERT_TRUE(std::holds_alternative<ClientRequest>(parsed));
  ProviderConfig provider;
  provider.name = "gem";
  provider.type = ProviderType::gemini;
  Candidate candidate{&provider, "gemini-3-pro", "g", false};
  auto built = gemini_client().native_request(std::get<ClientRequest>(parsed), candidate);
  ASSERT_TRUE(std::holds_alternative<UpstreamRequest>(built));
  const auto& upstream = std::get<UpstreamRequest>(built);
  EXPECT_EQ(upstream.target, "/v1beta/models/gemini-3-pro:generateContent");
  auto parts = boost::json::parse(upstream.body).at("contents").at(1).at("parts");
  EXPECT_FALSE(parts.at(0).as_object().contains("thoughtSignature"));
  EXPECT_EQ(parts.at(1).at("thoughtSignature"), "Z2VtaW5p");
}
