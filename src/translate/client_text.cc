#include "translate/client_text.h"

#include <fmt/format.h>

#include <boost/url/encode.hpp>
#include <boost/url/pct_string_view.hpp>
#include <boost/url/rfc/pchars.hpp>

namespace switchyard {

namespace {

// The length of the valid UTF-8 sequence at the start of `text` (non-empty), or 0.
std::size_t sequence_length(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  unsigned char c = *p;
  if (c < 0x80) return 1;
  int extra = 0;
  uint32_t code = 0;
  if (c >= 0xC2 && c <= 0xDF)
    extra = 1, code = c & 0x1F;
  else if (c >= 0xE0 && c <= 0xEF)
    extra = 2, code = c & 0x0F;
  else if (c >= 0xF0 && c <= 0xF4)
    extra = 3, code = c & 0x07;
  else
    return 0;
  if (end - p <= extra) return 0;
  for (int i = 1; i <= extra; ++i) {
    if ((p[i] & 0xC0) != 0x80) return 0;
    code = (code << 6) | (p[i] & 0x3F);
  }
  if ((extra == 2 && (code < 0x800 || (code >= 0xD800 && code <= 0xDFFF))) ||
      (extra == 3 && (code < 0x10000 || code > 0x10FFFF)))
    return 0;
  return static_cast<std::size_t>(extra) + 1;
}

}  // namespace

std::string valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    std::size_t n = sequence_length(text);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      n = 1;
    } else {
      out.append(text.substr(0, n));
    }
    text.remove_prefix(n);
  }
  return out;
}

bool is_valid_utf8(std::string_view text) {
  while (!text.empty()) {
    std::size_t n = sequence_length(text);
    if (n == 0) return false;
    text.remove_prefix(n);
  }
  return true;
}

std::optional<Error> check_client_text(std::string_view text, std::string_view field, std::size_t max_bytes) {
  auto invalid = [&](std::string_view why) {
    return make_error(ErrorKind::bad_request, fmt::format("'{}' {}", field, why), std::string(field));
  };
  if (text.size() > max_bytes) return invalid(fmt::format("is longer than {} bytes", max_bytes));
  for (unsigned char c : text)
    if (c < 0x20 || c == 0x7F) return invalid("must not contain control characters");
  if (!is_valid_utf8(text)) return invalid("is not valid UTF-8");
  return std::nullopt;
}

std::optional<std::string> percent_decode(std::string_view segment) {
  auto escaped = boost::urls::make_pct_string_view(segment);
  if (!escaped) return std::nullopt;
  return escaped->decode();
}

std::string percent_encode_segment(std::string_view segment) {
  static constexpr auto kKept = boost::urls::pchars - ':';  // ':' ends a Gemini model name
  return boost::urls::encode(segment, kKept);
}

}  // namespace switchyard
