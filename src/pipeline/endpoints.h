#pragma once
// The endpoint table: every path the gateway serves is one row, telling its method, which phase
// sequence handles it, and the client format its answers and errors take. Adding a client API is
// one row (plus its ClientFormat), not another branch in the handler.
#include <string_view>

#include "core/config.h"
#include "pipeline/client_format.h"
#include "server/asio.h"

namespace switchyard {

enum class Serves {
  health,               // GET /healthz: liveness, no key
  metrics,              // GET /metrics: Prometheus text, no key
  models,               // the configured models
  model,                // one of them: GET /v1/models/{id}
  generation,           // one request's record
  credits,              // GET /v1/credits: what the caller's team has spent (and, with a budget, has left)
  admin,                // /v1/admin/keys[/{id}], /v1/admin/teams[/{name}]: keys and teams at run time
  ai_gateway_config,    // GET /v{1,3,4}/ai/config: the model list in the AI Gateway's shape
  report,               // totals per group
  insights,             // the production-traffic figures
  logs,                 // GET /v1/logs: the request log, newest first, filtered and paged
  timeseries,           // GET /v1/timeseries: traffic over time at minute, hour or day grain
  proxy,                // parse -> admit -> route -> attempt -> relay -> account -> record
  count_tokens,         // Anthropic's count_tokens, answered by the provider or estimated
  gemini_count_tokens,  // Gemini's countTokens, the same way
  stored_response,      // GET / DELETE /v1/responses/{id}, GET /v1/responses/{id}/input_items
  response_tokens,      // POST /v1/responses/input_tokens: the input's token count, estimated
};

struct Endpoint {
  // A segment "{id}" matches any one non-empty segment; a final "{path}" the rest of the path, and
  // "{path}:method" (Google's style) the rest when it ends with ":method".
  std::string_view path;
  http::verb method;  // GET rows also answer HEAD
  Serves serves;
  const ClientFormat* client;  // the shape of answers and errors; for proxy rows, how requests parse
  WireApi api;                 // proxy rows: the client's wire API
  bool authenticated;          // needs a gateway key (when keys are configured)
  bool reads_records;          // answers 503 when accounting is off
};

// The row serving `path` (without its query) with `method` (GET rows also answer HEAD); else a
// row serving `path` with another method (the caller answers 405); else nullptr.
const Endpoint* find_endpoint(std::string_view path, http::verb method);

// The client format of errors on a path that has no row (Anthropic's under /v1/messages, Google's
// under /v1beta/ or for a path naming a method with ':', the AI Gateway's under /v{1,3,4}/ai/).
const ClientFormat& client_for_path(std::string_view path);

}  // namespace switchyard
