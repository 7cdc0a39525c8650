#pragma once
#include "core/request_context.h"
#include "pipeline/services.h"
#include "server/exchange.h"

namespace switchyard {

// POST /v1/messages/count_tokens: the provider's own count where it has one (Anthropic's
// count_tokens, Gemini's countTokens); otherwise an estimate of about four characters per token.
Task<> count_anthropic_tokens(RequestContext& context, const Services& services, Exchange& exchange);

}  // namespace switchyard
