#include "translate/reasoning_token.h"

#include <boost/json.hpp>

#include "translate/json_fields.h"
#include "translate/json_parse.h"

namespace switchyard {
namespace {
constexpr std::string_view kPrefix = "swy1:";
}

std::string write_reasoning_token(const ReasoningToken& token) {
  boost::json::object object{{"text", token.text}, {"signature", token.signature}};
  if (!token.call_signatures.empty()) {
    boost::json::object calls;
    for (const auto& [id, signature] : token.call_signatures) calls[id] = signature;
    object["calls"] = std::move(calls);
  }
  return std::string(kPrefix) + serialize_json(object);
}

std::optional<ReasoningToken> read_reasoning_token(std::string_view encrypted_content) {
  if (!encrypted_content.starts_with(kPrefix)) return std::nullopt;
  boost::system::error_code ec;
  boost::json::value value = parse_json(encrypted_content.substr(kPrefix.size()), ec);
  if (ec || !value.is_object()) return std::nullopt;
  const auto& object = value.get_object();
  ReasoningToken token{std::string(json_fields::string_field(object, "text")),
                       std::string(json_fields::string_field(object, "signature")),
                       {}};
  for (const auto& [id, signature] : json_fields::object_field(object, "calls"))
    if (signature.is_string()) token.call_signatures.emplace_back(id, signature.get_string());
  if (token.signature.empty() && token.call_signatures.empty()) return std::nullopt;
  return token;
}

}  // namespace switchyard
