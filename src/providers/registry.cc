// Every provider kind the gateway can call, listed explicitly.
#include "providers/anthropic/anthropic_adapter.h"
#include "providers/openai/openai_adapter.h"

namespace switchyard {

const ProviderAdapter* adapter_for(ProviderType type) {
  static const OpenAIAdapter openai;
  static const AnthropicAdapter anthropic;
  switch (type) {
    case ProviderType::openai: return &openai;
    case ProviderType::anthropic: return &anthropic;
    case ProviderType::gemini: return nullptr;
  }
  return nullptr;
}

}  // namespace switchyard
