#pragma once
// What an answer used and why it ended, in one shape for every provider and client format.
#include <cstdint>
#include <optional>
#include <string>

namespace switchyard {

struct TokenUsage {
  int64_t input = 0;        // every prompt token, cached ones included
  int64_t output = 0;       // every generated token, reasoning included
  int64_t cache_read = 0;   // of `input`, read from the provider's prompt cache
  int64_t cache_write = 0;  // of `input`, written to it
  int64_t reasoning = 0;    // of `output`, spent thinking
};

// What accounting knows of the answer that was sent.
struct AnswerFacts {
  std::optional<TokenUsage> usage;
  std::string finish_reason;  // stop, length, tool_calls, content_filter; empty while unknown
};

}  // namespace switchyard
