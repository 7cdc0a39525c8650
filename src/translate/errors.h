#pragma once
#include <string>
#include <string_view>
#include <variant>

#include <boost/json/object.hpp>

#include "core/error.h"

namespace switchyard {

// Every occurrence of `secret` in `text` replaced by "[redacted]": an upstream that echoes request
// headers in its error must not hand the operator's provider key to the client or the record.
// Secrets shorter than 8 bytes are left alone (no real key is; they would mangle ordinary text).
void redact(std::string& text, std::string_view secret);

// {"error":{"message","type","param","code"}}: OpenAI's error shape, every field present.
std::string openai_error_body(const Error& error);

// The human message in an upstream error body: error.message (OpenAI, Anthropic, Gemini),
// a bare error string, or message; otherwise the start of the body itself.
std::string upstream_error_message(std::string_view body);

// A provider answer the gateway cannot read (not JSON, missing what every answer has).
Error malformed_answer(std::string_view what);

// `text` (a provider's answer, or one event of its stream) parsed as a JSON object;
// malformed_answer(what) when it is not one.
std::variant<boost::json::object, Error> answer_object(std::string_view text, std::string_view what);

// The error a provider reported inside its stream: "provider error in stream: <error.message>".
Error provider_stream_error(const boost::json::object& event);

// True when `body` is {"error":{"message","type","param","code"}}: OpenAI's shape, complete.
bool is_openai_error_body(std::string_view body);

}  // namespace switchyard