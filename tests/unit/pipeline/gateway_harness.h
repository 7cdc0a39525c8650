#pragma once
// Runs one request through a real Gateway over a loopback socket pair, in a thread of its own
// with its own io_context (so per-thread state starts fresh), and returns what the client read.
// Upstreams are whatever the Services' transport says: a ScriptedTransport in these tests.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/gateway.h"
#include "pipeline/scripted_upstream.h"

namespace switchyard::testing {

struct ClientView {
  unsigned status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // chunked bodies decoded, as far as they came
  std::string header(std::string_view name) const;
};

struct Exchanged {
  http::verb method = http::verb::post;
  std::string target = "/v1/chat/completions";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // The client hangs up once the response holds this text (a user who stops a stream).
  std::optional<std::string> hang_up_after;
};

ClientView run_request(Gateway& gateway, const Exchanged& request);

// A gateway on `yaml` (no records) whose request path uses `transport`, `breaker` (on the clock
// `now`) and the draw `draw`.
struct TestGateway {
  explicit TestGateway(const std::string& yaml);
  ClientView chat(std::string body, std::vector<std::pair<std::string, std::string>> headers = {});
  ScriptedTransport transport;
  std::chrono::steady_clock::time_point now{};
  CircuitBreaker breaker;
  LatencyTracker latency;
  double draw = 0.5;
  int64_t wall_ms = 1'780'000'000'000;  // Unix ms the gateway reads: minute windows, budget periods, key expiry
  std::shared_ptr<const Config> config;
  std::unique_ptr<KeyTable> keys;
  LocalQuotaState quota{[this] { return wall_ms; }};
  std::unique_ptr<Governor> governor;
  std::unique_ptr<Gateway> gateway;
};

}  // namespace switchyard::testing
