#include "translate/errors.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "fixtures.h"

using namespace switchyard;
namespace json = boost::json;

TEST(Errors, OpenAIErrorBodyHasEveryFieldClientsRelyOn) {
  auto body =
      json::parse(openai_error_body(make_error(ErrorKind::bad_request, "bad \"thing\"", "messages"))).as_object();
  const auto& error = body.at("error").as_object();
  EXPECT_EQ(error.at("message"), "bad \"thing\"");
  EXPECT_EQ(error.at("type"), "invalid_request_error");
  EXPECT_EQ(error.at("param"), "messages");
  EXPECT_EQ(error.at("code"), "invalid_request");

  auto no_param = json::parse(openai_error_body(make_error(ErrorKind::upstream_timeout, "late"))).as_object();
  EXPECT_TRUE(no_param.at("error").as_object().at("param").is_null());
}

TEST(Errors, ReadsTheMessageOfEachProvidersErrorBody) {
  EXPECT_EQ(upstream_error_message(fixture("openai/error_429.json")).substr(0, 37),
            "Rate limit reached for gpt-4o-mini in");
  EXPECT_EQ(upstream_error_message(fixture("anthropic/error_529.json")), "Overloaded");
  EXPECT_EQ(upstream_error_message(fixture("gemini/error_429.json")),
            "Resource has been exhausted (e.g. check quota).");
  EXPECT_EQ(upstream_error_message("<html>502 Bad Gateway</html>"), "<html>502 Bad Gateway</html>");
  EXPECT_EQ(upstream_error_message(""), "(empty body)");
}

TEST(Errors, RecognisesOpenAIErrorBodies) {
  EXPECT_TRUE(is_openai_error_body(fixture("openai/error_429.json")));
  EXPECT_FALSE(is_openai_error_body(fixture("gemini/error_429.json")));  // error.message, but no type or param
  EXPECT_FALSE(is_openai_error_body(R"({"error":{"message":"m","type":"t"}})"));
  EXPECT_FALSE(is_openai_error_body(fixture("anthropic/error_529.json")));
  EXPECT_FALSE(is_openai_error_body("not json"));
}
