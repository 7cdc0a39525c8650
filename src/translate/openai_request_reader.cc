#include "translate/openai_request_reader.h"

namespace switchyard::openai_in {
namespace json = boost::json;

std::optional<InlineImage> parse_data_url(std::string_view url) {
  // data:<media type>;base64,<data>
  if (!url.starts_with("data:")) return std::nullopt;
  auto comma = url.find(',');
  auto meta = url.substr(5, comma == std::string_view::npos ? 0 : comma - 5);
  if (comma == std::string_view::npos || !meta.ends_with(";base64")) return std::nullopt;
  return InlineImage{std::string(meta.substr(0, meta.size() - 7)), std::string(url.substr(comma + 1))};
}

std::string_view string_field(const json::object& object, std::string_view key) {
  auto* value = object.if_contains(key);
  return value && value->is_string() ? std::string_view(value->get_string()) : std::string_view();
}

std::string content_text(const json::value& content) {
  if (content.is_string()) return std::string(content.get_string());
  std::string out;
  if (content.is_array())
    for (const auto& part : content.get_array())
      if (part.is_object())
        if (auto* text = part.get_object().if_contains("text"); text && text->is_string()) {
          if (!out.empty()) out += "\n";
          out += text->get_string();
        }
  return out;
}

std::optional<int64_t> max_output_tokens(const json::object& request) {
  for (const char* key : {"max_completion_tokens", "max_tokens"})
    if (auto* v = request.if_contains(key); v && v->is_int64()) return v->get_int64();
  return std::nullopt;
}

std::vector<std::string> stop_sequences(const json::object& request) {
  std::vector<std::string> out;
  if (auto* stop = request.if_contains("stop")) {
    if (stop->is_string()) out.emplace_back(stop->get_string());
    if (stop->is_array())
      for (const auto& s : stop->get_array())
        if (s.is_string()) out.emplace_back(s.get_string());
  }
  return out;
}

std::optional<int64_t> thinking_budget(const json::object& request) {
  auto* effort = request.if_contains("reasoning_effort");
  if (!effort || !effort->is_string()) return std::nullopt;
  std::string_view e = effort->get_string();
  if (e == "minimal" || e == "low") return 1024;
  if (e == "medium") return 8192;
  if (e == "high") return 24576;
  return std::nullopt;
}

std::variant<json::object, Error> tool_arguments(const json::object& tool_call) {
  std::string_view text = "{}";
  if (auto* function = tool_call.if_contains("function"); function && function->is_object())
    if (auto* args = function->get_object().if_contains("arguments"); args && args->is_string() && !args->get_string().empty())
      text = args->get_string();
  boost::system::error_code ec;
  json::value parsed = json::parse(text, ec);
  if (ec || !parsed.is_object())
    return make_error(ErrorKind::bad_request, "tool call arguments must be a JSON object", "messages");
  return parsed.get_object();
}

}  // namespace switchyard::openai_in
