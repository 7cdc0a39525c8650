#pragma once
// The parse phase for OpenAI-format requests: validate the body and read only what the
// gateway needs (model, stream flags), remembering where the model value sits so that a
// pass-through can splice in the upstream model without re-serialising the body.
#include <string>
#include <variant>

#include "core/error.h"

namespace switchyard {

enum class OpenAIEndpoint { chat_completions, embeddings };

struct OpenAIRequestView {
  std::string model;
  bool stream = false;
  bool include_usage = false;
  std::size_t model_offset = 0;  // the model's JSON string token, quotes included
  std::size_t model_length = 0;
};

// Requires nothing of `body` but that it is the raw request; it may grow its capacity (the
// JSON parser needs padding) but its contents stay as they are.
std::variant<OpenAIRequestView, Error> parse_openai_request(std::string& body, OpenAIEndpoint endpoint);

// `body` with the model value replaced by `upstream_model`, every other byte unchanged.
std::string splice_model(std::string_view body, const OpenAIRequestView& view, std::string_view upstream_model);

}  // namespace switchyard
