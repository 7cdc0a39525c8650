#include "translate/json_parse.h"

namespace switchyard {

boost::json::value parse_json(std::string_view text, boost::system::error_code& ec) {
  boost::json::parse_options options;
  options.max_depth = kMaxJsonDepth;
  return boost::json::parse(text, ec, {}, options);
}

}  // namespace switchyard
