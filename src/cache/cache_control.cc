#include "cache/cache_control.h"

#include <algorithm>
#include <cctype>

namespace switchyard {
namespace {

std::string_view trim(std::string_view text) {
  auto space = [](char c) { return c == ' ' || c == '\t'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return text;
}

bool same_word(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
  });
}

// delta-seconds (1*DIGIT), in token or quoted form (RFC 9111 5.2 asks recipients to take both);
// nullopt when it is not one.
std::optional<int64_t> delta_seconds(std::string_view text) {
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') text = text.substr(1, text.size() - 2);
  if (text.empty()) return std::nullopt;
  int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = std::min(value * 10 + (c - '0'), kMaxDeltaSeconds);
  }
  return value;
}

}  // namespace

CacheDirectives parse_cache_control(std::string_view header) {
  CacheDirectives directives;
  while (!header.empty()) {
    const std::size_t comma = header.find(',');
    std::string_view directive = trim(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    const std::size_t equals = directive.find('=');
    const std::string_view name = trim(directive.substr(0, equals));
    const std::string_view argument =
        equals == std::string_view::npos ? std::string_view() : trim(directive.substr(equals + 1));
    if (same_word(name, "no-cache")) {
      directives.no_cache = true;
    } else if (same_word(name, "no-store")) {
      directives.no_store = true;
    } else if (same_word(name, "max-age")) {
      if (auto seconds = delta_seconds(argument))
        directives.max_age_s = std::min(*seconds, directives.max_age_s.value_or(kMaxDeltaSeconds));
    }
  }
  return directives;
}

}  // namespace switchyard
