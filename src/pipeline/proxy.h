#pragma once
#include "core/request_context.h"
#include "pipeline/client_format.h"
#include "pipeline/services.h"
#include "server/exchange.h"

namespace switchyard {

// route -> attempt loop -> relay, for a parsed request in any client format, metered
// (begin_metering) and admitted. Always answers.
Task<> proxy(RequestContext& context, const Services& services, Exchange& exchange, const ClientFormat& client,
             ClientRequest& request);

}  // namespace switchyard
