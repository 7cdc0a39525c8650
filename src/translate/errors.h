#pragma once
#include <string>
#include <string_view>

#include "core/error.h"

namespace switchyard {

// {"error":{"message","type","param","code"}}: OpenAI's error shape, every field present.
std::string openai_error_body(const Error& error);

// The human message in an upstream error body: error.message (OpenAI, Anthropic, Gemini),
// a bare error string, or message; otherwise the start of the body itself.
std::string upstream_error_message(std::string_view body);

// A provider answer the gateway cannot read (not JSON, missing what every answer has).
Error malformed_answer(std::string_view what);

// True when `body` is {"error":{"message","type","param","code"}}: OpenAI's shape, complete.
bool is_openai_error_body(std::string_view body);

}  // namespace switchyard