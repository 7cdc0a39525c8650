#pragma once
// Anthropic Messages answers -> OpenAI chat completions (pure, no I/O).
#include <boost/json/object.hpp>
#include <memory>
#include <string>
#include <variant>

#include "core/error.h"
#include "translate/openai_output.h"
#include "translate/stream_translator.h"

namespace switchyard {

// A Messages response body -> a chat.completion body. `created` is the Unix time to stamp.
std::variant<std::string, Error> openai_response_from_anthropic(std::string_view body, int64_t created);

// The Anthropic stream (message_start ... message_stop) -> chat.completion.chunk events.
std::unique_ptr<StreamTranslator> openai_stream_from_anthropic(int64_t created, bool include_usage);

// Anthropic's usage object, normalised (input counts cached tokens too).
TokenUsage usage_from_anthropic(const boost::json::object& usage);

}  // namespace switchyard
