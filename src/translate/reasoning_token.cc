#include "translate/reasoning_token.h"

#include <boost/json.hpp>

#include "translate/json_fields.h"
#include "translate/json_parse.h"

namespace switchyard {
namespace {
constexpr std::string_view kPrefix = "swy1:";
}

std::string write_reasoning_token(const ReasoningToken& token) {
  return std::string(kPrefix) +
         serialize_json(boost::json::object{{"text", token.text}, {"signature", token.signature}});
}

std::optional<ReasoningToken> read_reasoning_token(std::string_view encrypted_content) {
  if (!encrypted_content.starts_with(kPrefix)) return std::nullopt;
  boost::system::error_code ec;
  boost::json::value value = parse_json(encrypted_content.substr(kPrefix.size()), ec);
  if (ec || !value.is_object()) return std::nullopt;
  const auto& object = value.get_object();
  ReasoningToken token{std::string(json_fields::string_field(object, "text")),
                       std::string(json_fields::string_field(object, "signature"))};
  if (token.signature.empty()) return std::nullopt;
  return token;
}

}  // namespace switchyard
