#pragma once
// Routing rules: what a chat request contains (images, tools, its size, a header) can send it to
// another model than the one it names. Read only when rules are configured.
#include <boost/json/object.hpp>
#include <functional>
#include <string_view>

#include "core/config.h"

namespace switchyard {

struct RequestTraits {
  bool has_images = false;
  bool has_tools = false;
  std::size_t estimated_input_tokens = 0;
  std::function<std::string_view(std::string_view)> header;  // by lower-case name; empty when absent
};

// Traits of a request in OpenAI chat form. Input tokens are estimated as one per 4 bytes of the
// request body: cheap, provider-neutral, and close enough for thresholds like 100K.
RequestTraits traits_of(const boost::json::object& chat_request, std::size_t body_bytes);

// The model id of the first rule that matches, or `requested` when none does.
std::string_view apply_rules(const std::vector<RoutingRule>& rules, std::string_view requested,
                             const RequestTraits& traits);

}  // namespace switchyard
