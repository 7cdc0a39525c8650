#pragma once
// The admit phase: governance between parse and route. It is where key, team and user limits,
// budgets and the response cache decide whether a request may go upstream; none is configured
// yet, so every request is admitted.
#include <optional>

#include "core/error.h"
#include "core/request_context.h"
#include "pipeline/client_format.h"
#include "pipeline/services.h"

namespace switchyard {

// nullopt: the request may proceed; an Error: the answer it gets instead.
inline std::optional<Error> admit(const RequestContext&, const Services&, const ClientRequest&) { return std::nullopt; }

}  // namespace switchyard
