#pragma once
// The one way the data plane parses JSON with Boost.JSON: error codes, never exceptions, and the
// same nesting limit as simdjson's (which validates requests first), so no body that passed
// validation is refused later for its depth. scripts/check-request-path fails the build's tests
// when src/ calls a throwing json::parse or parses without these options.
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <string_view>

namespace switchyard {

// simdjson's default maximum depth.
inline constexpr std::size_t kMaxJsonDepth = 1024;

// `text` parsed as one JSON document; on failure `ec` is set and the value is null.
boost::json::value parse_json(std::string_view text, boost::system::error_code& ec);

}  // namespace switchyard
