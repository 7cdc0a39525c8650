#pragma once
// The one way the gateway reads and writes JSON with Boost.JSON. Parsing: error codes, never
// exceptions, and the same nesting limit as simdjson's (which validates requests first), so no
// body that passed validation is refused later for its depth (scripts/check-request-path refuses
// a throwing json::parse on the request path). Writing: numbers as clients expect them.
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <string_view>

namespace switchyard {

// simdjson's default maximum depth.
inline constexpr std::size_t kMaxJsonDepth = 1024;

// `text` parsed as one JSON document; on failure `ec` is set and the value is null.
boost::json::value parse_json(std::string_view text, boost::system::error_code& ec);

// `value` as JSON text, as boost::json::serialize writes it but for doubles, which are written
// the shortest way that reads back the same ("0", "1.95e-05"), not "0E0" or "1.95E-5".
std::string serialize_json(const boost::json::value& value);
std::string serialize_json(const boost::json::object& object);
std::string serialize_json(const boost::json::array& array);
std::string serialize_json(std::string_view text);  // a JSON string, quotes included

}  // namespace switchyard
