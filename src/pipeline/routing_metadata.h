#pragma once
// `provider_metadata.gateway.routing` in non-streaming answers (as Vercel's AI Gateway reports
// it): the model asked for, who served, and every upstream attempt with its outcome and times.
#include <string>

#include "core/request_context.h"

namespace switchyard {

// Adds "provider_metadata":{"gateway":{"routing":...}} as the last member of the JSON object in
// `body`, leaving every other byte as it was; the last attempt is the one that served. A body
// that is not an object is left alone.
void add_routing_metadata(std::string& body, const RequestContext& context, std::string_view requested_model);

}  // namespace switchyard
