#pragma once
// Where Google's Gemini API names what a request is: "/v1beta/models/{model}:{method}" (also
// under "/v1/"; @ai-sdk/google leaves out "models/" for ids with a slash:
// "/v1beta/sim-gemini/echo:generateContent"), the model id percent-encoded or not.
#include <string>
#include <string_view>
#include <variant>

#include "core/error.h"

namespace switchyard {

struct GeminiCall {
  std::string model;        // decoded, without "models/"
  std::string_view method;  // generateContent, streamGenerateContent, countTokens, embedContent, batchEmbedContents
  bool embeds = false;      // embedContent or batchEmbedContents
};

// The call `target` (path and query) names; a not_found Error when it names no model and method or
// a method this gateway does not serve; a bad_request Error for a malformed or over-long model id,
// or a stream not asked for as SSE (?alt=sse: Google's default stream is one JSON array, which
// the gateway does not write).
std::variant<GeminiCall, Error> read_gemini_path(std::string_view target);

}  // namespace switchyard
