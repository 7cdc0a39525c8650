#pragma once
// What the request path uses beyond its request: routing health, the upstream transport, the
// random draw, the keys and the governor. Built once at start (main.cc) and handed to every
// phase, so tests give doubles (a scripted transport, a breaker on a fake clock, a fixed draw, a
// governor counting in memory on a fake clock) and no phase reaches for a process-wide singleton.
#include <functional>

#include "governance/governor.h"
#include "governance/key_table.h"
#include "pipeline/response_caching.h"
#include "routing/circuit_breaker.h"
#include "routing/latency_tracker.h"
#include "telemetry/span_exporter.h"
#include "upstream/transport.h"

namespace switchyard {

struct Services {
  CircuitBreaker& breaker;
  LatencyTracker& latency;
  UpstreamTransport& upstream;
  std::function<double()> draw;  // uniform in [0, 1), for weighted routes and canary aliases
  KeyTable& keys;
  Governor& governor;
  std::function<int64_t()> wall_ms;  // Unix ms now: key expiry
  SpanExporter* spans = nullptr;     // traces (config `telemetry`); null: off
  Caches caches{};                   // the response cache (config `cache:`); null: none
};

}  // namespace switchyard
