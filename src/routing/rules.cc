#include "routing/rules.h"

namespace switchyard {
namespace {

bool has_image_part(const boost::json::value& content) {
  if (!content.is_array()) return false;
  for (const auto& part : content.get_array()) {
    const auto* object = part.if_object();
    if (!object) continue;
    const auto* type = object->if_contains("type");
    if (type && type->is_string() && (type->get_string() == "image_url" || type->get_string() == "image")) return true;
  }
  return false;
}

bool matches(const RoutingRule& rule, std::string_view requested, const RequestTraits& traits) {
  if (rule.model && *rule.model != requested) return false;
  if (rule.has_images && *rule.has_images != traits.has_images) return false;
  if (rule.has_tools && *rule.has_tools != traits.has_tools) return false;
  if (rule.estimated_input_tokens_gt && traits.estimated_input_tokens <= *rule.estimated_input_tokens_gt) return false;
  for (const auto& [name, value] : rule.headers)
    if (!traits.header || traits.header(name) != value) return false;
  return true;
}

}  // namespace

RequestTraits traits_of(const boost::json::object& chat_request, std::size_t body_bytes) {
  RequestTraits traits;
  traits.estimated_input_tokens = body_bytes / 4;
  if (const auto* tools = chat_request.if_contains("tools"))
    traits.has_tools = tools->is_array() && !tools->get_array().empty();
  if (const auto* messages = chat_request.if_contains("messages"); messages && messages->is_array())
    for (const auto& message : messages->get_array())
      if (const auto* object = message.if_object())
        if (const auto* content = object->if_contains("content"); content && has_image_part(*content)) {
          traits.has_images = true;
          break;
        }
  return traits;
}

std::string_view apply_rules(const std::vector<RoutingRule>& rules, std::string_view requested,
                             const RequestTraits& traits) {
  for (const auto& rule : rules)
    if (matches(rule, requested, traits)) return rule.then;
  return requested;
}

}  // namespace switchyard
