#include "server/message_head.h"

#include <cstring>

#include "core/json_text.h"

namespace switchyard {

bool is_head_safe(std::string_view text) {
  // Three memchr scans (vectorised) instead of find_first_of, which calls memchr once per
  // character of `text`: that was ~12% of a pass-through request's instructions (callgrind).
  if (text.empty()) return true;  // memchr wants a non-null pointer even for no bytes
  const char* data = text.data();
  return std::memchr(data, '\r', text.size()) == nullptr && std::memchr(data, '\n', text.size()) == nullptr &&
         std::memchr(data, '\0', text.size()) == nullptr;
}

void append_header(std::string& lines, std::string_view name, std::string_view value) {
  if (!is_head_safe(name) || !is_head_safe(value)) return;
  lines += name;
  lines += ": ";
  lines += value;
  lines += "\r\n";
}

std::string header_lines(const http::fields& fields) {
  std::string out;
  for (const auto& field : fields) append_header(out, field.name_string(), field.value());
  return out;
}

std::string response_head(unsigned status, unsigned version, std::string_view header_lines, bool keep_alive,
                          std::optional<std::size_t> content_length) {
  std::string out;
  out.reserve(128 + header_lines.size());
  out += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  append_json_integer(out, static_cast<int64_t>(status));
  out += ' ';
  out += http::obsolete_reason(static_cast<http::status>(status));
  out += "\r\n";
  out += header_lines;
  if (content_length) {
    out += "Content-Length: ";
    append_json_integer(out, static_cast<int64_t>(*content_length));
    out += "\r\n";
  }
  if (version == 10 && keep_alive) out += "Connection: keep-alive\r\n";
  if (version != 10 && !keep_alive) out += "Connection: close\r\n";
  out += "\r\n";
  return out;
}

std::string request_head(std::string_view method, std::string_view target, std::string_view host,
                         std::string_view header_lines, std::size_t content_length) {
  std::string out;
  out.reserve(64 + target.size() + host.size() + header_lines.size());
  out += method;
  out += ' ';
  out += target;
  out += " HTTP/1.1\r\nHost: ";
  out += host;
  out += "\r\n";
  out += header_lines;
  out += "Content-Length: ";
  append_json_integer(out, static_cast<int64_t>(content_length));
  out += "\r\n\r\n";
  return out;
}

}  // namespace switchyard
