#include "translate/reasoning_token.h"

#include <boost/json.hpp>
#include <cstdint>

#include "translate/json_fields.h"
#include "translate/json_parse.h"

namespace switchyard {
namespace {
constexpr std::string_view kPrefix = "swy1:";
constexpr std::string_view kBase64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Standard base64, padded.
std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    uint32_t group = static_cast<uint8_t>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) group |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    if (i + 2 < bytes.size()) group |= static_cast<uint8_t>(bytes[i + 2]);
    for (std::size_t k = 0; k < 4; ++k) out += i + k <= bytes.size() ? kBase64[(group >> (18 - 6 * k)) & 63] : '=';
  }
  return out;
}

// `text` decoded from standard base64 (padded); nullopt when it is not that.
std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  uint32_t group = 0;
  std::size_t bits = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '=') {  // padding: only the last one or two
      if (i + 2 < text.size() || (i + 1 < text.size() && text[i + 1] != '=')) return std::nullopt;
      break;
    }
    auto digit = kBase64.find(text[i]);
    if (digit == std::string_view::npos) return std::nullopt;
    group = (group << 6) | static_cast<uint32_t>(digit);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((group >> bits) & 0xFF);
    }
  }
  return out;
}
}  // namespace

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

std::string write_thought_signature(const ReasoningToken& token) { return base64_encode(write_reasoning_token(token)); }

std::optional<ReasoningToken> read_thought_signature(std::string_view thought_signature) {
  auto token = base64_decode(thought_signature);
  return token ? read_reasoning_token(*token) : std::nullopt;
}

}  // namespace switchyard
