#pragma once
// Requests as OTLP/JSON spans (ExportTraceServiceRequest, opentelemetry-proto's JSON mapping:
// ids in lowercase hex, times in nanoseconds and integers as strings, kind and status code as
// numbers, attributes as {key, value: {stringValue | intValue | doubleValue | boolValue |
// arrayValue}}). Pure: records and ids in, bytes out.
//
// The request span (kind SERVER, named "<operation> <requested model>", its parent the client's
// span when there was one) carries gen_ai.operation.name (chat | embeddings | generate_content:
// core/gen_ai.h), gen_ai.provider.name (the type of the provider that served: openai, anthropic,
// gcp.gemini), gen_ai.request.model (as the client asked), gen_ai.response.model (the upstream's
// model name), gen_ai.usage.input_tokens, gen_ai.usage.output_tokens and, when not zero,
// gen_ai.usage.cache_read.input_tokens, gen_ai.usage.cache_creation.input_tokens,
// gen_ai.usage.reasoning.output_tokens; gen_ai.response.finish_reasons, http.response.status_code,
// and switchyard.request_id, .team, .user, .endpoint, .provider, .model_id, .cost_usd (priced
// only), .cache_hit (true, on a request served from the response cache only). Each attempt is a
// CLIENT child span named "<operation> <upstream model>" with gen_ai.operation.name,
// gen_ai.provider.name, gen_ai.request.model (the upstream's model name), switchyard.provider,
// switchyard.model_id, http.response.status_code and, on an attempt that continued a stream cut
// on the one before, switchyard.continued_at (bytes of answer text the client had by then).
//
// A request failed when its status is 0 or 400 and above: its span has error.type (the status, or
// "cancelled" for 499, "_OTHER" for none) and status ERROR with the record's error as message; an
// attempt that failed the same, from its own status. Other spans have status OK. Empty texts are
// left out.
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/gen_ai.h"
#include "storage/usage_record.h"
#include "telemetry/trace_context.h"

namespace switchyard {

// One request to export. An attempt past the end of attempt_spans has no span.
struct TracedRecord {
  const UsageRecord* record = nullptr;
  TraceContext trace;
  std::vector<SpanId> attempt_spans;           // lines up with record->attempts
  std::vector<std::string> attempt_providers;  // provider types, lines up with record->attempts
  std::string provider_type;                   // of the provider that served, "" when none
};

// gen_ai.provider.name of one of our provider types: "gcp.gemini" for gemini (Google's
// generativelanguage API), the type itself for openai and anthropic and any other.
std::string_view gen_ai_provider_name(std::string_view provider_type);

// One ExportTraceServiceRequest: a resource (service.name) with one scope ("switchyard" and its
// version) holding the spans of `requests`, whose records must be set.
std::string otlp_traces_json(std::string_view service_name, std::span<const TracedRecord> requests);

}  // namespace switchyard
