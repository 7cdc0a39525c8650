#include "translate/json_parse.h"

#include <fmt/format.h>

#include "core/json_text.h"

namespace switchyard {

boost::json::value parse_json(std::string_view text, boost::system::error_code& ec) {
  boost::json::parse_options options;
  options.max_depth = kMaxJsonDepth;
  return boost::json::parse(text, ec, {}, options);
}

namespace {

void append_value(std::string& out, const boost::json::value& value);

void append_array(std::string& out, const boost::json::array& array) {
  out += '[';
  for (std::size_t i = 0; i < array.size(); ++i) {
    if (i) out += ',';
    append_value(out, array[i]);
  }
  out += ']';
}

void append_object(std::string& out, const boost::json::object& object) {
  out += '{';
  bool first = true;
  for (const auto& member : object) {
    if (!first) out += ',';
    first = false;
    append_json_string(out, member.key());
    out += ':';
    append_value(out, member.value());
  }
  out += '}';
}

void append_value(std::string& out, const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::null: out += "null"; break;
    case boost::json::kind::bool_: out += value.get_bool() ? "true" : "false"; break;
    case boost::json::kind::int64: fmt::format_to(std::back_inserter(out), "{}", value.get_int64()); break;
    case boost::json::kind::uint64: fmt::format_to(std::back_inserter(out), "{}", value.get_uint64()); break;
    case boost::json::kind::double_: append_json_number(out, value.get_double()); break;
    case boost::json::kind::string: append_json_string(out, value.get_string()); break;
    case boost::json::kind::array: append_array(out, value.get_array()); break;
    case boost::json::kind::object: append_object(out, value.get_object()); break;
  }
}

}  // namespace

std::string serialize_json(const boost::json::value& value) {
  std::string out;
  append_value(out, value);
  return out;
}

std::string serialize_json(const boost::json::object& object) {
  std::string out;
  append_object(out, object);
  return out;
}

std::string serialize_json(const boost::json::array& array) {
  std::string out;
  append_array(out, array);
  return out;
}

std::string serialize_json(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  return out;
}

}  // namespace switchyard
