#include "providers/gemini/gemini_adapter.h"

#include <gtest/gtest.h>

#include "server/message_head.h"

using namespace switchyard;

TEST(GeminiAdapter, AClientChosenModelNameCannotLeaveItsPathSegment) {
  Config c = parse_config(
      "providers: {g: {type: gemini, base_url: 'https://generativelanguage.googleapis.com', api_key: AIza-key}}\n",
      "t");
  const ProviderConfig& provider = c.providers.at("g");
  EXPECT_EQ(gemini_request(provider, "gemini-2.5-flash", "generateContent", "{}").target,
            "/v1beta/models/gemini-2.5-flash:generateContent");
  // Smuggling (CR/LF), traversal and a query: each stays inside the model's own segment.
  for (std::string_view model :
       {"x:generateContent HTTP/1.1\r\nHost: a\r\n\r\nGET /v1beta/files", "../../v1beta/files?x=", "m#frag"}) {
    UpstreamRequest request = gemini_request(provider, model, "countTokens", "{}");
    EXPECT_TRUE(request.target.starts_with("/v1beta/models/")) << request.target;
    EXPECT_TRUE(request.target.ends_with(":countTokens")) << request.target;
    EXPECT_EQ(request.target.find_first_of("/?#\r\n ", std::string_view("/v1beta/models/").size()), std::string::npos)
        << request.target;
    EXPECT_TRUE(is_head_safe(request.target));
  }
}
