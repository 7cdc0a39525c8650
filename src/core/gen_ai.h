#pragma once
// The GenAI operation an endpoint serves, as OpenTelemetry's GenAI semantic conventions name it
// (gen_ai.operation.name). Here in core because both the traces (telemetry/otlp_json.h) and the
// Prometheus metrics (storage/metrics.h) label by it, and storage sits below telemetry.
#include <cstddef>
#include <string_view>

namespace switchyard {

enum class GenAiOperation { chat, embeddings, generate_content };
inline constexpr std::size_t kGenAiOperations = 3;

// Of a request path: embeddings for OpenAI's /v1/embeddings, the AI Gateway's embedding-model and
// Gemini's :embedContent and :batchEmbedContents; generate_content for Gemini's
// :generateContent and :streamGenerateContent; chat for the rest (chat completions, messages,
// responses, the AI Gateway's language-model).
GenAiOperation gen_ai_operation_of(std::string_view endpoint);
std::string_view to_string(GenAiOperation operation);  // "chat", "embeddings", "generate_content"

inline std::string_view gen_ai_operation(std::string_view endpoint) { return to_string(gen_ai_operation_of(endpoint)); }

}  // namespace switchyard
