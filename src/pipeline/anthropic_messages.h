#pragma once
#include "core/request_context.h"
#include "server/exchange.h"

namespace switchyard {

// POST /v1/messages: the Anthropic parse phase, then the proxy (Anthropic providers by
// pass-through, every other provider by translation).
Task<> proxy_anthropic(RequestContext& context, Exchange& exchange);

}  // namespace switchyard
