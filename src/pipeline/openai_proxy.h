#pragma once
#include "core/request_context.h"
#include "server/exchange.h"
#include "translate/openai_request.h"

namespace switchyard {

// POST /v1/chat/completions and /v1/embeddings: the OpenAI parse phase, then the proxy.
Task<> proxy_openai(RequestContext& context, Exchange& exchange, OpenAIEndpoint endpoint);

}  // namespace switchyard
