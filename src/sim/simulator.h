#pragma once
// The provider simulator (`switchyard sim`): OpenAI, Anthropic and Gemini wire formats with
// deterministic answers, configurable timing and fault modes (see sim/scenario.h).
//   POST /openai/v1/chat/completions   POST /openai/v1/embeddings   GET /openai/v1/models
//   POST /anthropic/v1/messages   POST /anthropic/v1/messages/count_tokens
//   POST /gemini/v1beta/models/{model}:generateContent (v1 too)
//   POST /gemini/v1beta/models/{model}:streamGenerateContent?alt=sse (v1 too)
//   POST /gemini/v1beta/models/{model}:countTokens
#include "server/http_server.h"
#include "sim/scenario.h"

namespace switchyard::sim {

class Simulator {
 public:
  explicit Simulator(Defaults defaults) : defaults_(defaults) {}
  Task<> handle(Exchange& exchange);
  http::response<http::string_body> render_error(const Error& error, const http::request_header<>& header) const;

 private:
  Defaults defaults_;
};

}  // namespace switchyard::sim
