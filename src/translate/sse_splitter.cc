#include "translate/sse_splitter.h"

namespace switchyard {
namespace {

// End of the last blank line in `text` (an event ends with "\n\n", "\r\n\r\n" or "\r\r") that
// ends after `from`, or 0.
std::size_t end_of_last_event(std::string_view text, std::size_t from = 0) {
  for (std::size_t i = text.size(); i >= 2 && i > from; --i) {
    char a = text[i - 2], b = text[i - 1];
    if ((a == '\n' && b == '\n') || (a == '\r' && b == '\r')) return i;
    if (i >= 4 && text.substr(i - 4, 4) == "\r\n\r\n") return i;
  }
  return 0;
}

}  // namespace

std::string_view SseSplitter::feed(std::string_view bytes) {
  buffer_.erase(0, emitted_);
  emitted_ = 0;
  // Fast path: nothing pending and the read ends on an event boundary, as it almost always does.
  if (buffer_.empty() && !bytes.empty() && end_of_last_event(bytes, bytes.size() - 1) == bytes.size()) return bytes;
  // What is pending holds no boundary: a new one ends in the new bytes (it may begin before them).
  std::size_t pending = buffer_.size();
  buffer_.append(bytes);
  emitted_ = end_of_last_event(buffer_, pending);
  return std::string_view(buffer_).substr(0, emitted_);
}

}  // namespace switchyard
