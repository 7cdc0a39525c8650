#pragma once
// Writes HTTP/1.1 message heads straight into one string. Beast parses what comes in; what goes
// out is written here because Beast's generic serializer costs more per message than the rest
// of a pass-through request (measured with perf: bench/run).
#include <string>

#include "server/asio.h"

namespace switchyard {

// "HTTP/1.1 200 OK\r\n" + fields + Content-Length (when given) + Connection when it differs
// from the version's default + "\r\n".
std::string response_head(unsigned status, unsigned version, const http::fields& fields, bool keep_alive,
                          std::optional<std::size_t> content_length);

// "POST /target HTTP/1.1\r\n" + fields + "Content-Length: n\r\n\r\n".
std::string request_head(std::string_view method, std::string_view target, const http::fields& fields,
                         std::size_t content_length);

}  // namespace switchyard
