#pragma once
// Everything the phases of one request share: ids, client identity, the attempts made, timings.
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/client_identity.h"
#include "core/config.h"
#include "core/error.h"
#include "core/usage.h"
#include "telemetry/trace_context.h"

namespace switchyard {

struct Attempt {
  std::string provider;
  std::string upstream_model;
  std::string model_id;  // the configured model id this route serves
  int status = 0;        // the upstream's HTTP status, 0 when none came
  std::optional<Error> error;
  std::chrono::steady_clock::time_point start, end;
  SpanId span_id{};  // named in the traceparent sent upstream; all zero when the request is not traced
  // This attempt continued a stream cut on the attempt before it, after this many bytes of the
  // answer's text had reached the client (the splice point).
  std::optional<int64_t> continued_at;
};

// Headers a phase adds to the answer, whatever the upstream sent (rate-limit figures, say).
using AnswerHeaders = std::vector<std::pair<std::string, std::string>>;

struct RequestContext {
  std::string id;  // gen_<ULID>, also x-switchyard-request-id
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  std::chrono::system_clock::time_point wall_start = std::chrono::system_clock::now();
  std::shared_ptr<const Config> config;
  ClientIdentity client;
  std::vector<Attempt> attempts;

  // What accounting records (pipeline/accounting.cc); `metered` marks requests that get a record.
  bool metered = false;
  std::string endpoint;         // "/v1/chat/completions", ...
  std::string requested_model;  // as the client named it
  bool streamed = false;
  std::string user, use_case;
  std::vector<std::string> tags;
  AnswerFacts facts;           // usage and finish reason of the answer that was sent
  std::optional<double> cost;  // USD at list price; nullopt when unpriced or unknown
  bool byok = false;           // served on a provider key marked as the customer's own
  // Served from the response cache: what the kept answer cost when it was made (cost is then 0).
  bool cache_hit = false;
  std::optional<double> saved_cost;
  AnswerHeaders answer_headers;  // the admit phase's, on every answer (errors included)
  // Why the gateway refused the request before trying any upstream (a bad body, key or model, a
  // limit): its record's error. Set by note_rejection (pipeline/accounting.h).
  std::optional<Error> rejection;
  // The request's place in a trace: with telemetry on (every request), or when the client sent a
  // traceparent (passed on upstream as it came). Each attempt is sent a traceparent.
  std::optional<TraceContext> trace;
  // Set before routing when the answer is to be kept (a Responses answer with store: true): the
  // account phase hands it the whole answer (a body, or the stream's final response event) before
  // its last bytes go to the client, so a client that continues at once finds it kept.
  std::function<void(const RequestContext& context, std::string_view answer)> keep_answer;

  // A steady-clock instant as Unix milliseconds, for records and metadata.
  int64_t unix_ms(std::chrono::steady_clock::time_point at) const {
    auto wall = wall_start + std::chrono::duration_cast<std::chrono::system_clock::duration>(at - start);
    return std::chrono::duration_cast<std::chrono::milliseconds>(wall.time_since_epoch()).count();
  }
};

}  // namespace switchyard
