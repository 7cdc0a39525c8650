#include "routing/failure_class.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace switchyard {
namespace {

// Case-insensitive search of `needle` (lower case) in `text`.
bool mentions(std::string_view text, std::string_view needle) {
  auto it = std::search(text.begin(), text.end(), needle.begin(), needle.end(),
                        [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
  return it != text.end();
}

template <std::size_t N>
bool mentions_any(std::string_view text, const std::array<std::string_view, N>& needles) {
  return std::any_of(needles.begin(), needles.end(), [&](std::string_view needle) { return mentions(text, needle); });
}

// What providers and OpenAI-compatible hosts say when the input does not fit the window:
// OpenAI "context_length_exceeded" / "maximum context length"; Anthropic "prompt is too long",
// "input length and `max_tokens` exceed context limit"; Gemini "input token count (N) exceeds the
// maximum number of tokens"; vLLM, Mistral, DeepSeek, Groq "context length", "too many tokens".
constexpr std::array<std::string_view, 9> kContextWindow = {"context_length_exceeded",
                                                            "maximum context length",
                                                            "context length",
                                                            "context window",
                                                            "prompt is too long",
                                                            "exceed context limit",
                                                            "exceeds the maximum number of tokens",
                                                            "too many tokens",
                                                            "string_above_max_length"};

// OpenAI "content_policy_violation" / "content_filter" (Azure), Anthropic "content filtering
// policy", Gemini "PROHIBITED_CONTENT" and safety blocks, other hosts' "flagged by moderation".
constexpr std::array<std::string_view, 7> kContentPolicy = {
    "content_policy",     "content policy",    "content filter",       "content_filter",
    "prohibited_content", "blocked by safety", "flagged by moderation"};

// A stream's own error event: Anthropic's overloaded_error and rate_limit_error, OpenAI's
// rate_limit_exceeded, Gemini's RESOURCE_EXHAUSTED.
constexpr std::array<std::string_view, 3> kRateLimited = {"rate_limit", "rate limit", "resource_exhausted"};

}  // namespace

FailureClass classify_failure(int status, std::string_view body) {
  if (status == 0 || status >= 500 || status == 408) return FailureClass::outage;
  if (status == 429) return FailureClass::rate_limit;
  if (status == 401 || status == 402 || status == 403) return FailureClass::auth;
  if (status == 413 || mentions_any(body, kContextWindow)) return FailureClass::context_window;
  if (mentions_any(body, kContentPolicy)) return FailureClass::content_policy;
  return FailureClass::bad_request;
}

FailureClass classify_failure(const Error& error) {
  if (error.kind == ErrorKind::upstream_rejected) return classify_failure(error.status, error.message);
  if (mentions_any(error.message, kRateLimited)) return FailureClass::rate_limit;
  return FailureClass::outage;
}

}  // namespace switchyard
