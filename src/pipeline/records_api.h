#pragma once
// The accounting APIs (Vercel AI Gateway's shapes): GET /v1/generation?id=..., GET /v1/report,
// and the analytics API GET /v1/insights. A team's key sees its own team's records; the admin key sees all.
#include "core/request_context.h"
#include "server/exchange.h"
#include "storage/recorder.h"

namespace switchyard {

Task<> generation_api(RequestContext& context, Exchange& exchange, Recorder& recorder);
Task<> report_api(RequestContext& context, Exchange& exchange, Recorder& recorder);
// GET /v1/insights?start_date&end_date: the production-traffic figures (docs/analytics.md).
Task<> insights_api(RequestContext& context, Exchange& exchange, Recorder& recorder);

}  // namespace switchyard
