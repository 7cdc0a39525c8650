// libFuzzer: arbitrary upstream bytes, cut at arbitrary places, through the SSE splitter and
// event parser. Whatever comes in, every byte comes out exactly once, whole events only.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "translate/sse_events.h"
#include "translate/sse_splitter.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::size_t step = 1 + data[0] % 64;  // the first byte picks the read size
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  switchyard::SseSplitter splitter;
  std::string out;
  for (std::size_t i = 0; i < input.size(); i += step) {
    std::string_view events = splitter.feed(input.substr(i, step));
    out += events;
    switchyard::parse_sse_events(events);
  }
  if (out.size() + splitter.pending_bytes() != input.size() || input.substr(0, out.size()) != out) std::abort();
  return 0;
}
