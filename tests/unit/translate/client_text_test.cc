#include "translate/client_text.h"

#include <boost/json.hpp>

#include "translate/json_parse.h"

#include <gtest/gtest.h>

using namespace switchyard;

TEST(ClientText, KeepsPrintableUtf8WithinItsLimit) {
  EXPECT_FALSE(check_client_text("openai/gpt-4o-mini", "model", 256));
  EXPECT_FALSE(check_client_text("équipe données 数据 🚀", "x-switchyard-use-case", 128));
  EXPECT_FALSE(check_client_text("", "user", 10));
}

TEST(ClientText, RefusesControlCharactersNamingTheField) {
  for (std::string_view text :
       {std::string_view("m\r\nx-injected: 1"), std::string_view("m\n"), std::string_view("a\0b", 3),
        std::string_view("tab\there"), std::string_view("del\x7f")}) {
    auto error = check_client_text(text, "model", 256);
    ASSERT_TRUE(error) << text;
    EXPECT_EQ(error->status, 400);
    EXPECT_EQ(error->param, "model");
    EXPECT_NE(error->message.find("control characters"), std::string::npos);
  }
}

TEST(ClientText, RefusesInvalidUtf8AndOverlongText) {
  for (std::string_view text : {"\xff", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "caf\xc3", "\xf4\x90\x80\x80"})
    EXPECT_TRUE(check_client_text(text, "x-switchyard-tags", 128)) << "bytes of length " << text.size();
  auto error = check_client_text(std::string(257, 'a'), "model", 256);
  ASSERT_TRUE(error);
  EXPECT_NE(error->message.find("longer than 256 bytes"), std::string::npos);
}

TEST(ClientText, PercentEncodesEverythingThatCouldChangeAPath) {
  EXPECT_EQ(percent_encode_segment("gemini-2.5-flash"), "gemini-2.5-flash");
  EXPECT_EQ(percent_encode_segment("../../v1/files?x=1#f"), "..%2F..%2Fv1%2Ffiles%3Fx=1%23f");
  EXPECT_EQ(percent_encode_segment("echo;len=5"), "echo;len=5");
  EXPECT_EQ(percent_encode_segment("m\r\nHost: evil"), "m%0D%0AHost%3A%20evil");
  EXPECT_EQ(percent_encode_segment("100%"), "100%25");
}

TEST(JsonText, WritesNumbersAsClientsExpectThem) {
  boost::json::value value = {
      {"zero", 0.0}, {"small", 1.95e-5}, {"sum", 61.116839889999845}, {"n", 3}, {"text", "a\"b"}};
  EXPECT_EQ(serialize_json(value), R"({"zero":0,"small":1.95e-05,"sum":61.116839889999845,"n":3,"text":"a\"b"})");
}

TEST(ClientText, UpstreamTextIsMadeValidUtf8BeforeItGoesIntoJson) {
  EXPECT_EQ(valid_utf8("caf\xc3"), "caf\xEF\xBF\xBD") << "a character cut at 512 bytes";
  EXPECT_EQ(valid_utf8("na\xefve \xe9t\xe9"), "na\xEF\xBF\xBDve \xEF\xBF\xBDt\xEF\xBF\xBD") << "Latin-1";
  EXPECT_EQ(valid_utf8("ok ✓"), "ok ✓");
}
