#pragma once
// A provider's signed reasoning carried through a client that keeps it as an opaque string: the
// Responses API's `encrypted_content`. Anthropic accepts earlier thinking back only with the very
// text and signature it issued, so both travel in the token; the client never reads it.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace switchyard {

struct ReasoningToken {
  std::string text;       // the thinking, exactly as the provider sent it
  std::string signature;  // the provider's signature over it (Anthropic)
  // Gemini signs function calls instead: {call id, thoughtSignature} for each call of the turn.
  std::vector<std::pair<std::string, std::string>> call_signatures;
};

// "swy1:" followed by {"text", "signature", "calls": {id: signature}} as JSON.
std::string write_reasoning_token(const ReasoningToken& token);

// The token in `encrypted_content`; nullopt when it is not one this gateway wrote (another
// provider's encrypted reasoning, say) or it is damaged.
std::optional<ReasoningToken> read_reasoning_token(std::string_view encrypted_content);

// The same token in base64, for Gemini clients, which keep it in a thought part's thoughtSignature:
// a bytes field, which Gemini refuses when it is not base64 (should the history reach it later).
std::string write_thought_signature(const ReasoningToken& token);
std::optional<ReasoningToken> read_thought_signature(std::string_view thought_signature);

}  // namespace switchyard
