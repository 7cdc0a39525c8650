// Every provider kind the gateway can call, listed explicitly.
#include "providers/anthropic/anthropic_adapter.h"
#include "providers/gemini/gemini_adapter.h"
#include "providers/openai/openai_adapter.h"

namespace switchyard {

const ProviderAdapter& adapter_for(ProviderType type) {
  static const OpenAIAdapter openai;
  static const AnthropicAdapter anthropic;
  static const GeminiAdapter gemini;
  switch (type) {
    case ProviderType::anthropic: return anthropic;
    case ProviderType::gemini: return gemini;
    case ProviderType::openai: break;
  }
  return openai;
}

}  // namespace switchyard
