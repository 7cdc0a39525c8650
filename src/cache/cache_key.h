#pragma once
// The response cache's key: a digest of what decides an answer, so two requests that must get
// the same answer share it and no others do.
#include <optional>
#include <string>
#include <string_view>

namespace switchyard {

struct CacheKeyParts {
  std::string_view team;      // answers are never shared across teams
  std::string_view endpoint;  // the client API ("/v1/chat/completions", "/v1/messages", ...)
  std::string_view model_id;  // the model id routing resolved (after aliases and rules)
  bool streamed = false;      // a stream and a whole answer are kept apart (different bytes)
  std::string_view body;      // the request body as the client sent it
};

// Hex SHA-256 over the parts and the body normalised: parsed as JSON, object keys sorted at every
// depth, numbers and strings re-serialised canonically, and the fields that do not change the
// answer dropped at the top level ("model" — replaced by model_id —, "user", "metadata",
// "store", "safety_identifier", "prompt_cache_key", and providerOptions.gateway's "user", "tags",
// "byok"). nullopt when the body is not a JSON object (never cached). Never throws.
std::optional<std::string> cache_key(const CacheKeyParts& parts);

}  // namespace switchyard
