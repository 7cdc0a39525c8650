#pragma once
// One map key from two names (provider and model): joined by '\0', which no name contains, so
// ("a/b", "c") and ("a", "b/c") never collide.
#include <string>
#include <string_view>

namespace switchyard {

inline std::string joined_key(std::string_view first, std::string_view second) {
  std::string key;
  key.reserve(first.size() + 1 + second.size());
  key.append(first).push_back('\0');
  key.append(second);
  return key;
}

}  // namespace switchyard
