#pragma once
// Responses the gateway builds itself; each carries x-switchyard-request-id.
#include <string>

#include "core/error.h"
#include "core/request_context.h"
#include "server/asio.h"

namespace switchyard {

inline constexpr const char* kRequestIdHeader = "x-switchyard-request-id";
// The same id under the names the official SDKs read into `requestID` / `_request_id`:
// x-request-id (OpenAI) and request-id (Anthropic).
inline constexpr const char* kRequestIdHeaders[] = {kRequestIdHeader, "x-request-id", "request-id"};

http::response<http::string_body> json_response(const std::string& request_id, unsigned status, std::string body);
http::response<http::string_body> openai_error_response(const std::string& request_id, const Error& error);

}  // namespace switchyard
