#pragma once
// An HTTP request to an upstream, as a provider adapter builds it and a transport sends it.
#include <string>

#include "server/asio.h"

namespace switchyard {

// Its header lines are kept as text: they are written out once and never looked up, and text
// costs one allocation where a field map costs one per field.
struct UpstreamRequest {
  http::verb method = http::verb::post;
  std::string target;
  std::string header_lines;  // "Name: value\r\n" each; Host and Content-Length are added when sent
  std::string body;
};

}  // namespace switchyard
