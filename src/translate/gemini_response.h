#pragma once
// Gemini generateContent answers -> OpenAI chat completions (pure, no I/O).
#include <boost/json/object.hpp>
#include <memory>
#include <string>
#include <variant>

#include "core/error.h"
#include "translate/openai_output.h"
#include "translate/stream_translator.h"

namespace switchyard {

// A GenerateContentResponse body -> a chat.completion body.
std::variant<std::string, Error> openai_response_from_gemini(std::string_view body, int64_t created);

// streamGenerateContent?alt=sse -> chat.completion.chunk events.
std::unique_ptr<StreamTranslator> openai_stream_from_gemini(int64_t created, bool include_usage);

// Gemini's usageMetadata, normalised (output counts thinking tokens too).
TokenUsage usage_from_gemini(const boost::json::object& usage_metadata);

}  // namespace switchyard
