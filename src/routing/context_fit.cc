#include "routing/context_fit.h"

#include <boost/json.hpp>

#include <algorithm>

#include "core/model_specs.h"
#include "translate/json_fields.h"
#include "translate/json_parse.h"

namespace switchyard {
namespace {

// Bytes of text in a message's content: a string, or the text of its parts.
std::size_t text_bytes(const boost::json::value& content) {
  if (content.is_string()) return content.get_string().size();
  std::size_t bytes = 0;
  if (content.is_array())
    for (const auto& part : content.get_array())
      if (const auto* object = part.if_object())
        if (const auto* text = object->if_contains("text"); text && text->is_string())
          bytes += text->get_string().size();
  return bytes;
}

}  // namespace

std::optional<int64_t> context_window_of(const ModelConfig* model, std::string_view upstream_model) {
  if (model && model->context_window) return model->context_window;
  auto spec = ModelSpecs::builtin().find(upstream_model);
  if (spec && spec->context_window > 0) return spec->context_window;
  return std::nullopt;
}

int64_t estimated_request_tokens(const boost::json::object& chat_request) {
  std::size_t bytes = 0;
  if (const auto* messages = chat_request.if_contains("messages"); messages && messages->is_array())
    for (const auto& message : messages->get_array())
      if (const auto* object = message.if_object()) {
        if (const auto* content = object->if_contains("content")) bytes += text_bytes(*content);
        if (const auto* calls = object->if_contains("tool_calls"); calls && calls->is_array())
          bytes += serialize_json(*calls).size();
      }
  if (const auto* tools = chat_request.if_contains("tools"); tools && tools->is_array())
    bytes += serialize_json(*tools).size();
  int64_t output = std::max<int64_t>(0, json_fields::int_field(chat_request, "max_completion_tokens"));
  if (output == 0) output = std::max<int64_t>(0, json_fields::int_field(chat_request, "max_tokens"));
  return static_cast<int64_t>(bytes / 4) + output;
}

}  // namespace switchyard
