#pragma once
// OpenAI chat request -> Gemini generateContent request (pure JSON, no I/O).
#include <boost/json/object.hpp>
#include <variant>

#include "core/error.h"

namespace switchyard {

// `openai` is a validated chat request. The model goes in the URL, not the body.
std::variant<boost::json::object, Error> gemini_request_from_openai(const boost::json::object& openai);

}  // namespace switchyard
