#pragma once
// Reading and building the JSON bodies of every format, one way: a missing or mistyped field
// reads as empty, so translators never throw on a body they did not write.
#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string_view>

namespace switchyard::json_fields {

// A string member, viewed in place; empty when absent or not a string.
std::string_view string_field(const boost::json::object& object, std::string_view key);
// A whole-number member; 0 when absent or not one.
int64_t int_field(const boost::json::object& object, std::string_view key);
// No answer has this many tokens: counts read from answers are clamped to it (and to 0), so that
// sums of them cannot overflow.
inline constexpr int64_t kMaxTokens = int64_t{1} << 40;
// A token count member, clamped to [0, kMaxTokens]; nullopt when absent or not a whole number.
std::optional<int64_t> token_count(const boost::json::object& object, std::string_view key);
// An object member; an empty object when absent or not one.
const boost::json::object& object_field(const boost::json::object& object, std::string_view key);

// `value` when it is an array of numbers only (an embedding), else nullptr (also for nullptr).
const boost::json::array* number_array(const boost::json::value* value);

// A member's value, or `fallback` when absent.
boost::json::value member_or(const boost::json::object& object, std::string_view key,
                             const boost::json::value& fallback);

// Appends a turn {"role": role, items_key: items} to `turns`, merged into the last one when it
// has the same role (Anthropic and Gemini want roles to alternate).
void append_turn(boost::json::array& turns, std::string_view role, std::string_view items_key,
                 boost::json::array items);

}  // namespace switchyard::json_fields
