#pragma once
// Splits a byte stream of Server-Sent Events at event boundaries (a blank line), so whole
// events are relayed and nothing is ever cut in the middle of one.
#include <string>
#include <string_view>

namespace switchyard {

class SseSplitter {
 public:
  // Adds bytes; returns every complete event received so far, as one span of raw bytes
  // (possibly empty). The span points into `bytes` or into this object, and stays valid
  // until the next call and as long as `bytes` does. Each call scans only the bytes it is given
  // (and the three before them), so an event that arrives in many pieces costs linear time.
  std::string_view feed(std::string_view bytes);
  // Bytes of an event not yet terminated: the caller bounds it (an upstream may never end one).
  std::size_t pending_bytes() const { return buffer_.size() - emitted_; }

 private:
  std::string buffer_;
  std::size_t emitted_ = 0;
};

}  // namespace switchyard
