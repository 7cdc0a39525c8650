#include "translate/sse_splitter.h"

#include <gtest/gtest.h>

#include "fixtures.h"

using namespace switchyard;

namespace {
// Feeds `transcript` in pieces of `step` bytes and joins what comes out.
std::string relay(const std::string& transcript, std::size_t step, std::vector<std::string>* spans = nullptr) {
  SseSplitter splitter;
  std::string out;
  for (std::size_t i = 0; i < transcript.size(); i += step) {
    std::string piece = transcript.substr(i, step);
    std::string_view events = splitter.feed(piece);
    out += events;
    if (spans && !events.empty()) spans->emplace_back(events);
  }
  return out;
}
}  // namespace

TEST(SseSplitter, RelaysRecordedStreamsWholeAtAnyReadSize) {
  for (const char* name : {"openai/stream_transcript.sse", "gemini/stream_transcript.sse"}) {
    std::string transcript = fixture(name);
    for (std::size_t step : {1u, 2u, 7u, 64u, 100000u}) {
      std::vector<std::string> spans;
      EXPECT_EQ(relay(transcript, step, &spans), transcript) << name << " step " << step;
      for (const auto& span : spans) {
        bool ends_on_boundary = span.ends_with("\n\n") || span.ends_with("\r\n\r\n");
        EXPECT_TRUE(ends_on_boundary) << name << " step " << step << ": cut mid-event";
      }
    }
  }
}

TEST(SseSplitter, HoldsBackAnUnfinishedEvent) {
  SseSplitter splitter;
  EXPECT_EQ(splitter.feed("data: {\"a\":1}\n\ndata: {\"b\""), "data: {\"a\":1}\n\n");
  EXPECT_EQ(splitter.pending_bytes(), 10u);
  EXPECT_EQ(splitter.feed(":2}\n"), "");
  EXPECT_EQ(splitter.feed("\n"), "data: {\"b\":2}\n\n");
  EXPECT_EQ(splitter.pending_bytes(), 0u);
}

TEST(SseSplitter, ABoundarySplitAcrossReadsIsFoundAndPendingBytesAreCounted) {
  SseSplitter splitter;
  EXPECT_EQ(splitter.feed("data: {\"a\":1}\r\n"), "");
  EXPECT_EQ(splitter.feed("\r"), "");
  EXPECT_EQ(splitter.pending_bytes(), 16u);
  EXPECT_EQ(splitter.feed("\ndata: x"), "data: {\"a\":1}\r\n\r\n");
  EXPECT_EQ(splitter.pending_bytes(), 7u);
  // An event that never ends keeps growing in pending_bytes, for the caller to bound.
  std::string piece(16384, 'x');
  for (int i = 0; i < 64; ++i) EXPECT_EQ(splitter.feed(piece), "");
  EXPECT_EQ(splitter.pending_bytes(), 7u + 64 * 16384);
  EXPECT_EQ(splitter.feed("\n\n").size(), 7u + 64 * 16384 + 2);
}
