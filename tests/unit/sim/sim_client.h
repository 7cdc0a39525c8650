#pragma once
// Sends one request to a real Simulator over a loopback connection and reads the answer as an
// HTTP client would: status, headers and body as far as they came, and how the body ended.
#include <string>
#include <utility>
#include <vector>

#include "sim/simulator.h"

namespace switchyard::testing {

struct SimReply {
  unsigned status = 0;
  std::string content_type;
  std::string body;       // a chunked body decoded, as far as it came
  bool complete = false;  // the body ended as HTTP says it ends: its last chunk, or Content-Length bytes
  bool reset = false;     // the connection was reset (ECONNRESET) before that
};

// POSTs `body` to `target` with `headers` (the credential and version headers the endpoint wants).
SimReply ask_simulator(sim::Simulator& simulator, const std::string& target, const std::string& body,
                       const std::vector<std::pair<std::string, std::string>>& headers);

}  // namespace switchyard::testing
