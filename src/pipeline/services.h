#pragma once
// What the request path uses beyond its request: routing health, the upstream transport and the
// random draw. Built once at start (main.cc) and handed to every phase, so tests give doubles
// (a scripted transport, a breaker on a fake clock, a fixed draw) and no phase reaches for a
// process-wide singleton.
#include <functional>

#include "routing/circuit_breaker.h"
#include "routing/latency_tracker.h"
#include "upstream/transport.h"

namespace switchyard {

struct Services {
  CircuitBreaker& breaker;
  LatencyTracker& latency;
  UpstreamTransport& upstream;
  std::function<double()> draw;  // uniform in [0, 1), for weighted routes and canary aliases
};

}  // namespace switchyard
