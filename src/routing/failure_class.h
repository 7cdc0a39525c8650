#pragma once
// Why an attempt failed, read from what the upstream answered, so a model's `on_failure` can
// choose per class (core/config.h FailurePolicy): fall over, retry, go to a model with a larger
// context window, or give the failure back as it is.
#include <string_view>

#include "core/config.h"
#include "core/error.h"

namespace switchyard {

// `status` is the upstream's HTTP status (0 when none came: a reset, a timeout, a cut stream);
// `body` its error body in any provider's format (OpenAI, Anthropic, Gemini, or a host's own
// text). 5xx, 529, no status, 408: outage. 429: rate_limit. 401, 403, 402: auth (a provider key
// or billing problem the client cannot fix). A 4xx whose body says the input is too long
// (OpenAI's context_length_exceeded, Anthropic's "prompt is too long", Gemini's "exceeds the
// maximum number of tokens", ...) is context_window (413 too); one whose body names a content
// policy or filter is content_policy; any other 4xx is bad_request.
FailureClass classify_failure(int status, std::string_view body);

// The class of a failure that came with no HTTP answer (`error` from the transport, or an error
// event inside a stream): a provider's stream error naming a rate limit or overload is that,
// anything else an outage.
FailureClass classify_failure(const Error& error);

}  // namespace switchyard
