#pragma once
// The request that asks a provider to continue an answer another provider began (a stream cut
// mid-way): the conversation as the client sent it, plus what the client has already been sent
// as the start of the assistant's turn, written as the host takes a prefill (ProviderConfig::prefill).
#include <boost/json/object.hpp>
#include <string_view>

#include "core/config.h"

namespace switchyard {

// `openai` (the request in OpenAI chat form) with a final assistant message holding `prefill`:
// plain (assistant: Anthropic, Gemini, OpenRouter), with "prefix": true on it (prefix: Mistral,
// DeepSeek), or with continue_final_message: true and add_generation_prompt: false
// (continue_final_message: vLLM, SGLang). Reasoning is not asked for (providers refuse a prefill
// with extended thinking, and the client already has the first provider's). An empty prefill
// asks for the answer afresh: `openai` as it is. `how` must not be Prefill::none.
boost::json::object continuation_request(const boost::json::object& openai, std::string_view prefill, Prefill how);

}  // namespace switchyard
