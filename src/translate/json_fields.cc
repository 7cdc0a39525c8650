#include "translate/json_fields.h"

#include <algorithm>

namespace switchyard::json_fields {
namespace json = boost::json;

std::string_view string_field(const json::object& object, std::string_view key) {
  auto* value = object.if_contains(key);
  return value && value->is_string() ? std::string_view(value->get_string()) : std::string_view();
}

int64_t int_field(const json::object& object, std::string_view key) {
  auto* value = object.if_contains(key);
  return value && value->is_int64() ? value->get_int64() : 0;
}

const json::object& object_field(const json::object& object, std::string_view key) {
  static const json::object empty;
  auto* value = object.if_contains(key);
  return value && value->is_object() ? value->get_object() : empty;
}

const json::array* number_array(const json::value* value) {
  const json::array* array = value ? value->if_array() : nullptr;
  if (!array) return nullptr;
  for (const auto& item : *array)
    if (!item.is_number()) return nullptr;
  return array;
}

json::value member_or(const json::object& object, std::string_view key, const json::value& fallback) {
  auto* value = object.if_contains(key);
  return value ? *value : fallback;
}

void append_turn(json::array& turns, std::string_view role, std::string_view items_key, json::array items) {
  if (items.empty()) return;
  if (!turns.empty() && string_field(turns.back().get_object(), "role") == role) {
    json::value& previous = turns.back().get_object()[items_key];
    if (!previous.is_array()) previous = json::array();
    for (auto& item : items) previous.get_array().push_back(std::move(item));
    return;
  }
  turns.push_back(json::object{{"role", role}, {items_key, std::move(items)}});
}

std::optional<int64_t> token_count(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  if (!value || !(value->is_int64() || value->is_uint64())) return std::nullopt;
  if (value->is_uint64()) return kMaxTokens;  // beyond int64: beyond the bound too
  return std::clamp<int64_t>(value->get_int64(), 0, kMaxTokens);
}

}  // namespace switchyard::json_fields
