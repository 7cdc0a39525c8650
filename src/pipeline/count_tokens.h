#pragma once
#include "core/request_context.h"
#include "pipeline/services.h"
#include "server/exchange.h"

namespace switchyard {

// POST /v1/messages/count_tokens (Anthropic's) and POST .../models/{model}:countTokens (Gemini's):
// the provider's own count where the model's first route has one (Anthropic's count_tokens,
// Gemini's countTokens, whichever API the client spoke); otherwise an estimate of about four
// characters per token, answered at once. Never a billed request, never recorded.
Task<> count_anthropic_tokens(RequestContext& context, const Services& services, Exchange& exchange);
Task<> count_gemini_tokens(RequestContext& context, const Services& services, Exchange& exchange);

}  // namespace switchyard
