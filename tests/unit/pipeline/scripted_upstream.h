#pragma once
// A scripted upstream for unit tests of the request path: each exchange the attempt loop opens
// takes the next scripted answer (a failure before the header, a status with headers and body
// pieces, a failure after the pieces, or a stream that hangs until aborted) and keeps the request
// it was sent, so a test reads what each route was asked and what it answered.
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "upstream/transport.h"

namespace switchyard::testing {

struct ScriptedAnswer {
  std::optional<Error> send_error;  // the exchange fails before any header
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers = {{"content-type", "application/json"}};
  std::vector<std::string> pieces;  // the body, piece by piece
  std::optional<Error> error_after_pieces;
  bool hang_after_pieces = false;  // waits until aborted, as a stalled upstream does
};

// What one exchange was sent, and whether the gateway aborted it.
struct ScriptedExchangeLog {
  std::string host;
  UpstreamRequest request;
  bool aborted = false;
};

class ScriptedTransport final : public UpstreamTransport {
 public:
  void add(ScriptedAnswer answer) { answers_.push_back(std::move(answer)); }
  std::unique_ptr<UpstreamExchange> open(Executor executor, const UpstreamEndpoint& endpoint, const Timeouts&) override;
  // One entry per exchange opened, in order.
  const std::vector<std::shared_ptr<ScriptedExchangeLog>>& log() const { return log_; }
  std::size_t unused() const { return answers_.size(); }

 private:
  std::deque<ScriptedAnswer> answers_;
  std::vector<std::shared_ptr<ScriptedExchangeLog>> log_;
};

// An answer of `status` with a JSON body.
ScriptedAnswer json_answer(int status, std::string body);
// A 200 text/event-stream answer of the given events ("data: ...\n\n" each added).
ScriptedAnswer sse_answer(const std::vector<std::string>& data);

}  // namespace switchyard::testing
