#pragma once
// Turns one upstream stream, event by event, into the client's stream format.
#include <optional>
#include <string>

#include "core/error.h"
#include "translate/sse_events.h"

namespace switchyard {

class StreamTranslator {
 public:
  virtual ~StreamTranslator() = default;
  // Appends the client events for one upstream event to `out`. An Error means the upstream
  // reported a failure: write it (as the translator's error event) and end the stream.
  virtual std::optional<Error> on_event(const SseEvent& event, std::string& out) = 0;
  // The upstream body ended: appends the closing events, or returns an Error when the answer was
  // cut short, so a truncated answer never looks complete.
  virtual std::optional<Error> on_end(std::string& out) = 0;
  // The stream fails (the upstream broke, or reported an error): appends the client's closing
  // event for `error` and returns true, or returns false when the client format's stateless
  // error event will do. Formats whose events are numbered or refer to what came before
  // (Responses' response.failed) write it here.
  virtual bool write_error(const Error& error, std::string& out) {
    (void)error;
    (void)out;
    return false;
  }
};

}  // namespace switchyard
