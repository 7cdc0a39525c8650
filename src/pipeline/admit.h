#pragma once
// The admit phase, between parse and route: may this key use this model, and is the request
// within every rate limit and budget on its path (governance/governor.h)? Counted before the
// request goes upstream; `settle` after its answer gives back what it did not use.
#include <deque>
#include <optional>

#include "core/error.h"
#include "core/request_context.h"
#include "governance/governor.h"
#include "pipeline/client_format.h"
#include "pipeline/services.h"
#include "server/asio.h"

namespace switchyard {

// What a request is reserved at before it goes upstream: input tokens estimated from its size
// (about 4 bytes each, JSON included: an overestimate), output tokens at its own cap
// (max_tokens, max_completion_tokens, max_output_tokens, maxOutputTokens), never beyond its
// model's output limit (4096 when unknown).
struct RequestEstimate {
  int64_t input_tokens = 0, output_tokens = 0;
};
RequestEstimate estimate(const ClientRequest& request);

// A provider's own quota (providers.X.limits) for one attempt on one of its routes: nullopt when
// the route may be tried (its counts in `quota`), else why it is skipped (and when to retry).
// Awaits as admit does.
Task<std::optional<Refusal>> admit_route(const Services& services, const ProviderConfig& provider,
                                         const RequestEstimate& guess, Admission& quota);

// nullopt: the request may proceed (its counts in `admission`); else the answer it gets instead,
// whose headers (Retry-After, x-ratelimit-*) are in context.answer_headers. Awaits only when a
// count needs the shared state (a lease to refill, an exact budget), on the governance pool.
Task<std::optional<Error>> admit(RequestContext& context, const Services& services, const ClientRequest& request,
                                 Admission& admission);

// After the answer (or its failure): the tokens and cost it used, from context.facts and
// context.cost. Never blocks.
void settle(const RequestContext& context, const Services& services, Admission& admission);

// Settles `admission` when it goes out of scope, however the request ends (requests in flight
// are released even if a phase throws).
class Settlement {
 public:
  Settlement(const RequestContext& context, const Services& services, Admission& admission)
      : context_(context), services_(services), admission_(admission) {}
  Settlement(const Settlement&) = delete;
  Settlement& operator=(const Settlement&) = delete;
  ~Settlement() { settle(context_, services_, admission_); }

 private:
  const RequestContext& context_;
  const Services& services_;
  Admission& admission_;
};

// The provider quotas a request's attempts took, settled when it ends: the attempt that answered
// at the answer's usage, attempts that failed upstream at nothing, and a quota whose attempt never
// reached its provider given back whole.
class RouteQuotas {
 public:
  RouteQuotas(const RequestContext& context, const Services& services) : context_(context), services_(services) {}
  RouteQuotas(const RouteQuotas&) = delete;
  RouteQuotas& operator=(const RouteQuotas&) = delete;
  ~RouteQuotas();
  // A new quota for the attempt about to be made, context.attempts' next (a stable reference).
  Admission& add() { return taken_.emplace_back(Taken{{}, context_.attempts.size()}).quota; }

 private:
  struct Taken {
    Admission quota;
    std::size_t attempt = 0;  // its index in context.attempts
  };
  const RequestContext& context_;
  const Services& services_;
  std::deque<Taken> taken_;
};

}  // namespace switchyard
