#pragma once
#include "core/request_context.h"
#include "server/exchange.h"
#include "translate/openai_request.h"

namespace switchyard {

// parse -> route -> attempt loop -> relay, for an OpenAI-format request (chat completions or
// embeddings). Always answers the client.
Task<> proxy_openai(RequestContext& context, Exchange& exchange, OpenAIEndpoint endpoint);

}  // namespace switchyard
