// Failures classified from what real providers answer, so on_failure can choose per class.
#include <gtest/gtest.h>

#include "routing/failure_class.h"

using namespace switchyard;

TEST(FailureClass, StatusesWithoutABodySayOutageRateLimitOrAuth) {
  EXPECT_EQ(classify_failure(0, ""), FailureClass::outage);
  EXPECT_EQ(classify_failure(500, ""), FailureClass::outage);
  EXPECT_EQ(classify_failure(529, R"({"type":"error","error":{"type":"overloaded_error"}})"), FailureClass::outage);
  EXPECT_EQ(classify_failure(408, ""), FailureClass::outage);
  EXPECT_EQ(classify_failure(429, "prompt is too long"), FailureClass::rate_limit) << "the status decides first";
  EXPECT_EQ(classify_failure(401, ""), FailureClass::auth);
  EXPECT_EQ(classify_failure(402, "billing"), FailureClass::auth);
  EXPECT_EQ(classify_failure(403, ""), FailureClass::auth);
  EXPECT_EQ(classify_failure(413, ""), FailureClass::context_window);
}

TEST(FailureClass, ReadsEachProvidersContextOverflow) {
  EXPECT_EQ(
      classify_failure(
          400,
          R"({"error":{"message":"This model's maximum context length is 8192 tokens.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}})"),
      FailureClass::context_window);
  EXPECT_EQ(
      classify_failure(
          400,
          R"({"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 210000 tokens > 200000 maximum"}})"),
      FailureClass::context_window);
  EXPECT_EQ(
      classify_failure(
          400,
          R"({"type":"error","error":{"type":"invalid_request_error","message":"input length and `max_tokens` exceed context limit: 190000 + 20000 > 200000"}})"),
      FailureClass::context_window);
  EXPECT_EQ(
      classify_failure(
          400,
          R"({"error":{"code":400,"message":"The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).","status":"INVALID_ARGUMENT"}})"),
      FailureClass::context_window);
}

TEST(FailureClass, ReadsContentPolicyRefusals) {
  EXPECT_EQ(
      classify_failure(
          400,
          R"({"error":{"message":"Your request was rejected as a result of our safety system.","type":"invalid_request_error","code":"content_policy_violation"}})"),
      FailureClass::content_policy);
  EXPECT_EQ(
      classify_failure(
          400,
          R"({"error":{"code":"content_filter","message":"The response was filtered due to the prompt triggering Azure OpenAI's content management policy."}})"),
      FailureClass::content_policy);
  EXPECT_EQ(
      classify_failure(
          400,
          R"({"type":"error","error":{"type":"invalid_request_error","message":"Output blocked by content filtering policy"}})"),
      FailureClass::content_policy);
}

TEST(FailureClass, AnyOtherClientErrorIsABadRequest) {
  EXPECT_EQ(
      classify_failure(
          400, R"({"error":{"message":"Invalid value for 'safety_identifier'.","type":"invalid_request_error"}})"),
      FailureClass::bad_request);
  EXPECT_EQ(classify_failure(404, "model not found"), FailureClass::bad_request);
  EXPECT_EQ(classify_failure(422, "not json"), FailureClass::bad_request);
}

TEST(FailureClass, TransportFailuresAndStreamErrorEvents) {
  EXPECT_EQ(classify_failure(make_error(ErrorKind::upstream_unreachable, "connection reset")), FailureClass::outage);
  EXPECT_EQ(classify_failure(make_error(ErrorKind::upstream_timeout, "idle")), FailureClass::outage);
  EXPECT_EQ(classify_failure(make_error(ErrorKind::upstream_failed, "provider error in stream: rate_limit_error")),
            FailureClass::rate_limit);
}
