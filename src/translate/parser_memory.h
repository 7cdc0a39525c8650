#pragma once
// The request path keeps one JSON parser (and buffer) per thread, reused without allocating. A
// huge document grows it to many times its size, and reuse would keep that memory for the
// thread's life: after a document larger than kRetainedParserBytes the parser is replaced by a
// fresh one when the guard goes out of scope, and the memory returned.
#include <cstddef>
#include <utility>

namespace switchyard {

inline constexpr std::size_t kRetainedParserBytes = std::size_t{1} << 20;

template <class Parser>
class ReleaseAfterHugeDocument {
 public:
  ReleaseAfterHugeDocument(Parser& parser, std::size_t document_bytes)
      : parser_(parser), huge_(document_bytes > kRetainedParserBytes) {}
  ~ReleaseAfterHugeDocument() {
    if (huge_) parser_ = Parser{};
  }
  ReleaseAfterHugeDocument(const ReleaseAfterHugeDocument&) = delete;
  ReleaseAfterHugeDocument& operator=(const ReleaseAfterHugeDocument&) = delete;

 private:
  Parser& parser_;
  bool huge_;
};

}  // namespace switchyard
