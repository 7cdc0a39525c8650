// Every provider kind the gateway can call, listed explicitly.
#include "providers/openai/openai_adapter.h"

namespace switchyard {

const ProviderAdapter* adapter_for(ProviderType type) {
  static const OpenAIAdapter openai;
  switch (type) {
    case ProviderType::openai: return &openai;
    case ProviderType::anthropic:
    case ProviderType::gemini: return nullptr;  // translation adapters: the format-translation issue
  }
  return nullptr;
}

}  // namespace switchyard
