#pragma once
// Whether a request fits a route's context window, so routes that cannot hold it are skipped
// instead of tried (their provider would refuse it with a context-overflow error).
#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/config.h"

namespace switchyard {

// The tokens a route holds (input + output): its model's `context_window`, else the model
// catalogue's for its upstream model; nullopt when neither is known (never skipped).
std::optional<int64_t> context_window_of(const ModelConfig* model, std::string_view upstream_model);

// A low estimate of the tokens a request in OpenAI chat form needs: its messages' and tools'
// text at 4 bytes a token (images and files not counted), plus the output it asks for
// (max_completion_tokens or max_tokens; 0 when it names none). Low on purpose: a route is only
// skipped when the request surely does not fit.
int64_t estimated_request_tokens(const boost::json::object& chat_request);

}  // namespace switchyard
