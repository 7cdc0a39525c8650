#pragma once
// W3C Trace Context (https://www.w3.org/TR/trace-context/): the `traceparent` a client sends is
// continued (its trace id, its span as our request span's parent), and each upstream attempt is
// sent a `traceparent` naming its own span. Ids come from a per-thread generator seeded by the
// OS; nothing here allocates but the functions that return text.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace switchyard {

using TraceId = std::array<uint8_t, 16>;
using SpanId = std::array<uint8_t, 8>;

struct TraceParent {
  TraceId trace_id{};
  SpanId span_id{};
  bool sampled = false;  // trace-flags bit 0
};

// The header's value, or none when it is malformed: wrong length or separators, uppercase or
// non-hex digits, version ff, an all-zero trace or span id. A version above 00 is read by its
// first four fields, as the specification asks.
std::optional<TraceParent> parse_traceparent(std::string_view header);
// "00-<trace id>-<span id>-<01|00>".
std::string format_traceparent(const TraceId& trace, const SpanId& span, bool sampled);
std::string to_hex(const uint8_t* bytes, std::size_t size);

TraceId new_trace_id();  // random, never all zero
SpanId new_span_id();

// One request's place in its trace.
struct TraceContext {
  TraceId trace_id{};
  SpanId span_id{};              // the request's own span
  std::optional<SpanId> parent;  // the client's span, when it sent a valid traceparent
  bool sampled = false;          // whether this request's spans are exported
};

// Continues `incoming` when there is one (sampled as the parent says: the parent-based sampler),
// else starts a new trace sampled at `sample_ratio` (0..1) by its trace id (the TraceIdRatioBased
// rule: the id's last 8 bytes, as a number, below ratio * 2^64).
TraceContext start_trace(const std::optional<TraceParent>& incoming, double sample_ratio);

}  // namespace switchyard
