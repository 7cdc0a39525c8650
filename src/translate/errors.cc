#include "translate/errors.h"
#include "translate/client_text.h"
#include "translate/json_parse.h"

#include <boost/json.hpp>

namespace switchyard {
namespace json = boost::json;

std::string openai_error_body(const Error& error) {
  json::object inner;
  inner["message"] = error.message;
  inner["type"] = openai_error_type(error.kind);
  inner["param"] = error.param.empty() ? json::value(nullptr) : json::value(error.param);
  inner["code"] = error.code.empty() ? json::value(nullptr) : json::value(error.code);
  return serialize_json(json::object{{"error", std::move(inner)}});
}

void redact(std::string& text, std::string_view secret) {
  if (secret.size() < 8) return;
  for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at))
    text.replace(at, secret.size(), "[redacted]");
}

std::string upstream_error_message(std::string_view body) {
  constexpr std::size_t kMaxRaw = 512;
  boost::system::error_code ec;
  json::value value = parse_json(body, ec);
  if (!ec && value.is_object()) {
    const auto& object = value.get_object();
    if (auto* error = object.if_contains("error")) {
      if (error->is_string()) return std::string(error->get_string());
      if (error->is_object())
        if (auto* message = error->get_object().if_contains("message"); message && message->is_string())
          return std::string(message->get_string());
    }
    if (auto* message = object.if_contains("message"); message && message->is_string())
      return std::string(message->get_string());
  }
  // Not JSON (an HTML page, say): its first bytes, as valid UTF-8 (it goes into JSON and records).
  std::string raw = valid_utf8(body.substr(0, kMaxRaw));
  return raw.empty() ? "(empty body)" : raw;
}

Error malformed_answer(std::string_view what) {
  return make_error(ErrorKind::upstream_failed, "the provider's answer is malformed: " + std::string(what));
}

std::variant<json::object, Error> answer_object(std::string_view text, std::string_view what) {
  boost::system::error_code ec;
  json::value parsed = parse_json(text, ec);
  if (ec || !parsed.is_object()) return malformed_answer(what);
  return std::move(parsed.get_object());
}

Error provider_stream_error(const json::object& event) {
  std::string message = "the provider reported an error";
  if (auto* error = event.if_contains("error"); error && error->is_object())
    if (auto* text = error->get_object().if_contains("message"); text && text->is_string())
      message = text->get_string();
  return make_error(ErrorKind::upstream_failed, "provider error in stream: " + message);
}

bool is_openai_error_body(std::string_view body) {
  boost::system::error_code ec;
  json::value value = parse_json(body, ec);
  if (ec || !value.is_object()) return false;
  auto* error = value.get_object().if_contains("error");
  if (!error || !error->is_object()) return false;
  const auto& fields = error->get_object();
  auto* message = fields.if_contains("message");
  auto* type = fields.if_contains("type");
  return message && message->is_string() && type && type->is_string() && fields.contains("param") &&
         fields.contains("code");
}

}  // namespace switchyard
