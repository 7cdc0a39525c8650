// Reading helpers shared by the simulator's wire formats.
#include "sim/wire_format.h"

#include <algorithm>
#include <boost/json.hpp>

namespace switchyard::sim {
namespace json = boost::json;

std::string text_of(const json::value& content) {
  if (content.is_string()) return std::string(content.get_string());
  std::string out;
  if (content.is_array())
    for (const auto& part : content.get_array())
      if (part.is_object())
        if (auto* text = part.get_object().if_contains("text"); text && text->is_string()) out += text->get_string();
  return out;
}

json::object object_at(const json::object& parent, std::string_view key) {
  if (auto* v = parent.if_contains(key); v && v->is_object()) return v->get_object();
  return {};
}

std::string string_at(const json::object& parent, std::string_view key, std::string_view fallback) {
  if (auto* v = parent.if_contains(key); v && v->is_string()) return std::string(v->get_string());
  return std::string(fallback);
}

int count_at(const json::object& parent, std::string_view key) {
  if (auto* v = parent.if_contains(key); v && v->is_int64())
    return static_cast<int>(std::clamp<int64_t>(v->get_int64(), 0, int64_t{1} << 30));
  return 0;
}

}  // namespace switchyard::sim
