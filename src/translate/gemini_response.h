#pragma once
// Gemini generateContent and batchEmbedContents answers -> OpenAI chat completions and embeddings
// (pure, no I/O).
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

// Gemini's finishReason in OpenAI's words (STOP with function calls: tool_calls).
std::string finish_reason_from_gemini(std::string_view reason, bool called_tools);

// A batchEmbedContents answer -> an OpenAI embeddings list: {"object": "list", "data": [{"object":
// "embedding", "index", "embedding"}...] in order, "model": `model`, "usage"}. Usage comes from
// usageMetadata when Gemini sends it; else it is 0 tokens, as OpenAI's schema requires numbers.
std::variant<std::string, Error> openai_embeddings_from_gemini(std::string_view batch_body, std::string_view model);

// Gemini's usageMetadata, normalised (output counts thinking tokens too).
TokenUsage usage_from_gemini(const boost::json::object& usage_metadata);

}  // namespace switchyard
