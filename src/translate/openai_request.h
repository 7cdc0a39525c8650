#pragma once
// The parse phase for OpenAI-format requests: validate the body and read only what the
// gateway needs (model, stream flags), remembering where the model value sits so that a
// pass-through can splice in the upstream model without re-serialising the body. The view and
// the splice serve every client format whose body has a top-level "model".
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/error.h"
#include "core/sort_by.h"

namespace switchyard {

// Which OpenAI API a request body is read as. Responses requests reach the adapters translated to
// chat, or pass through to providers that speak Responses.
enum class OpenAIEndpoint { chat_completions, embeddings, responses };

// What the request itself asks of the gateway (Vercel AI Gateway's fields): top-level `models`
// and `providerOptions.gateway.{models, order, only, sort, user, tags}`. Never sent upstream.
struct GatewayOptions {
  std::vector<std::string> models;  // fallback model ids after `model`
  std::vector<std::string> order;   // providers to try first
  std::vector<std::string> only;    // the only providers allowed
  std::optional<SortBy> sort;       // "cost" | "ttft" | "tps": how each model's routes are ordered
  std::vector<std::string> tags;
  std::string user;  // `user`, or providerOptions.gateway.user
  // providerOptions.gateway.byok (Vercel's shape: {"<provider>": [{"apiKey": "..."}]}): the
  // caller's own key per provider (by name, or by type), used before the gateway's own routes.
  std::vector<std::pair<std::string, std::string>> byok;
  bool in_body = false;  // the body has fields that must be stripped before sending
};

struct RequestView {
  std::string model;
  bool stream = false;
  bool include_usage = false;
  std::size_t model_offset = 0;  // the model's JSON string token, quotes included
  std::size_t model_length = 0;
  GatewayOptions gateway;
  // Responses: the stored response this request continues, and whether its own answer is to be
  // kept (`store`, true unless the client says false).
  std::string previous_response_id;
  bool store = true;
};

// Requires nothing of `body` but that it is the raw request; it may grow its capacity (the
// JSON parser needs padding) but its contents stay as they are.
std::variant<RequestView, Error> parse_openai_request(std::string& body, OpenAIEndpoint endpoint);

// The gateway options of any JSON body (`user`, `models`, `providerOptions.gateway`); a
// bad_request Error naming the field when they are malformed. `body`'s capacity may grow.
std::variant<GatewayOptions, Error> gateway_options_of(std::string& body);

// Where the top-level "model" string token sits in `body` (quotes included): {offset, length};
// a bad_request Error when it has none or a top-level key is given twice. `body` must be valid
// JSON; its capacity may grow (the parser needs padding).
std::variant<std::pair<std::size_t, std::size_t>, Error> locate_model_token(std::string& body);

// True when `body` must be rewritten before it goes upstream: it carries the gateway's own fields,
// or it asks for a stream without usage (the gateway asks for usage, for its accounting).
bool needs_upstream_rewrite(const RequestView& view, OpenAIEndpoint endpoint);
// Removes the gateway's own fields and asks for usage in a stream; reads `view` again, keeping
// its gateway options and what the client itself asked (include_usage).
std::optional<Error> rewrite_for_upstream(std::string& body, OpenAIEndpoint endpoint, RequestView& view);

// `body` with the model value replaced by `upstream_model`, every other byte unchanged.
std::string splice_model(std::string_view body, const RequestView& view, std::string_view upstream_model);

}  // namespace switchyard
