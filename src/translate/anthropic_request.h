#pragma once
// OpenAI chat request -> Anthropic Messages request (pure JSON, no I/O).
#include <boost/json/object.hpp>
#include <variant>

#include "core/error.h"

namespace switchyard {

// `openai` is a validated chat request; `model` the upstream model name. A request that cannot
// be expressed for Anthropic (an unsupported content part, bad tool arguments) is a bad_request.
std::variant<boost::json::object, Error> anthropic_request_from_openai(const boost::json::object& openai,
                                                                       std::string_view model);

// max_tokens Anthropic requires, for a model when the client gave none.
int64_t anthropic_default_max_tokens(std::string_view model);

}  // namespace switchyard
