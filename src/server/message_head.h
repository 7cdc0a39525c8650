#pragma once
// Writes HTTP/1.1 message heads straight into one string. Beast parses what comes in; what goes
// out is written here because Beast's generic serializer costs more per message than the rest
// of a pass-through request (measured with perf: bench/run).
#include <string>

#include "server/asio.h"

namespace switchyard {

// True when `text` may be written into a message head: no CR, LF or NUL that could end a line
// or the head early.
bool is_head_safe(std::string_view text);

// Appends "name: value\r\n"; a name or value that is not head-safe is not written at all, so no
// text from a client or an upstream can split a message.
void append_header(std::string& lines, std::string_view name, std::string_view value);

// "Name: value\r\n" for each field.
std::string header_lines(const http::fields& fields);

// "HTTP/1.1 200 OK\r\n" + header_lines + Content-Length (when given) + Connection when it
// differs from the version's default + "\r\n".
std::string response_head(unsigned status, unsigned version, std::string_view header_lines, bool keep_alive,
                          std::optional<std::size_t> content_length);

// "POST /target HTTP/1.1\r\nHost: host\r\n" + header_lines + "Content-Length: n\r\n\r\n".
std::string request_head(std::string_view method, std::string_view target, std::string_view host,
                         std::string_view header_lines, std::size_t content_length);

}  // namespace switchyard
