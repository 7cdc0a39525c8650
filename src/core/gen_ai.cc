#include "core/gen_ai.h"

namespace switchyard {

GenAiOperation gen_ai_operation_of(std::string_view endpoint) {
  if (endpoint == "/v1/embeddings" || endpoint.ends_with("/ai/embedding-model") ||
      endpoint.ends_with(":embedContent") || endpoint.ends_with(":batchEmbedContents"))
    return GenAiOperation::embeddings;
  if (endpoint.ends_with(":generateContent") || endpoint.ends_with(":streamGenerateContent"))
    return GenAiOperation::generate_content;
  return GenAiOperation::chat;
}

std::string_view to_string(GenAiOperation operation) {
  switch (operation) {
    case GenAiOperation::chat: return "chat";
    case GenAiOperation::embeddings: return "embeddings";
    case GenAiOperation::generate_content: return "generate_content";
  }
  return "chat";
}

}  // namespace switchyard
