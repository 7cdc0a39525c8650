#include "server/message_head.h"

#include <gtest/gtest.h>

using namespace switchyard;

TEST(MessageHead, WritesAResponseHead) {
  http::fields fields;
  fields.set(http::field::content_type, "application/json");
  fields.set("x-switchyard-request-id", "gen_1");
  EXPECT_EQ(response_head(200, 11, header_lines(fields), true, 42),
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nx-switchyard-request-id: gen_1\r\n"
            "Content-Length: 42\r\n\r\n");
}

TEST(MessageHead, SaysConnectionOnlyWhenItDiffersFromTheVersionDefault) {
  EXPECT_EQ(response_head(413, 11, "", false, 0),
            "HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(response_head(200, 10, "", true, 0),
            "HTTP/1.0 200 OK\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n");
  EXPECT_EQ(response_head(200, 11, "Transfer-Encoding: chunked\r\n", true, std::nullopt),
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
}

TEST(MessageHead, WritesARequestHead) {
  EXPECT_EQ(request_head("POST", "/v1/chat/completions", "api.openai.com", "Authorization: Bearer k\r\n", 17),
            "POST /v1/chat/completions HTTP/1.1\r\nHost: api.openai.com\r\nAuthorization: Bearer k\r\nContent-Length: "
            "17\r\n\r\n");
}

TEST(MessageHead, NeverWritesAHeaderThatCouldSplitTheMessage) {
  std::string lines;
  append_header(lines, "x-switchyard-model", "sim/a\r\nSet-Cookie: x=1");
  append_header(lines, "x-bad\nname", "v");
  append_header(lines, "x-nul", std::string_view("a\0b", 3));
  EXPECT_EQ(lines, "");
  append_header(lines, "x-switchyard-model", "sim/echo");
  EXPECT_EQ(lines, "x-switchyard-model: sim/echo\r\n");
}
