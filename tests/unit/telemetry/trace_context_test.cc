#include "telemetry/trace_context.h"

#include <gtest/gtest.h>

#include <set>

using namespace switchyard;

namespace {

// The W3C specification's example.
constexpr std::string_view kValid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

std::string hex(const TraceId& id) { return to_hex(id.data(), id.size()); }
std::string hex(const SpanId& id) { return to_hex(id.data(), id.size()); }

}  // namespace

TEST(TraceParent, ReadsTheSpecificationsExample) {
  auto parent = parse_traceparent(kValid);
  ASSERT_TRUE(parent);
  EXPECT_EQ(hex(parent->trace_id), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(hex(parent->span_id), "00f067aa0ba902b7");
  EXPECT_TRUE(parent->sampled);
  auto unsampled = parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
  ASSERT_TRUE(unsampled);
  EXPECT_FALSE(unsampled->sampled);
  // Other flags than sampled are kept out of the decision.
  auto other_flags = parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-02");
  ASSERT_TRUE(other_flags);
  EXPECT_FALSE(other_flags->sampled);
}

TEST(TraceParent, RejectsWhatTheSpecificationCallsInvalid) {
  for (std::string_view header : {
           "",
           "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",   // uppercase trace id
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01",   // uppercase span id
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0A",   // uppercase flags
           "0A-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",   // uppercase version
           "00-00000000000000000000000000000000-00f067aa0ba902b7-01",   // all-zero trace id
           "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",   // all-zero span id
           "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",   // version ff
           "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",    // trace id one digit short
           "00-4bf92f3577b34da6a3ce929d0e0e47366-00f067aa0ba902b7-01",  // one digit long
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-01",    // span id one digit short
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",    // flags one digit short
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-",  // version 00 with more
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what",
           "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",  // separators
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902g7-01",  // not hex
           "0-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
           "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",  // a later version, more without '-'
       })
    EXPECT_FALSE(parse_traceparent(header)) << header;
}

TEST(TraceParent, ALaterVersionIsReadByItsFirstFourFields) {
  auto later = parse_traceparent("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future-holds");
  ASSERT_TRUE(later);
  EXPECT_EQ(hex(later->trace_id), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_TRUE(later->sampled);
  EXPECT_TRUE(parse_traceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"));
}

TEST(TraceParent, FormatsWhatItReads) {
  auto parent = parse_traceparent(kValid);
  ASSERT_TRUE(parent);
  EXPECT_EQ(format_traceparent(parent->trace_id, parent->span_id, parent->sampled), kValid);
  const TraceId trace = new_trace_id();
  const SpanId span = new_span_id();
  for (bool sampled : {true, false}) {
    auto again = parse_traceparent(format_traceparent(trace, span, sampled));
    ASSERT_TRUE(again);
    EXPECT_EQ(again->trace_id, trace);
    EXPECT_EQ(again->span_id, span);
    EXPECT_EQ(again->sampled, sampled);
  }
}

TEST(TraceParent, NewIdsDiffer) {
  std::set<std::string> traces, spans;
  for (int i = 0; i < 1000; ++i) {
    traces.insert(hex(new_trace_id()));
    spans.insert(hex(new_span_id()));
  }
  EXPECT_EQ(traces.size(), 1000u);
  EXPECT_EQ(spans.size(), 1000u);
}

TEST(StartTrace, ContinuesTheClientsTraceUnderItsSampledFlag) {
  for (bool sampled : {true, false}) {
    TraceParent incoming = *parse_traceparent(kValid);
    incoming.sampled = sampled;
    for (double ratio : {0.0, 1.0}) {  // the parent decides, whatever the ratio
      TraceContext trace = start_trace(incoming, ratio);
      EXPECT_EQ(trace.trace_id, incoming.trace_id);
      ASSERT_TRUE(trace.parent);
      EXPECT_EQ(*trace.parent, incoming.span_id);
      EXPECT_NE(trace.span_id, incoming.span_id);
      EXPECT_EQ(trace.sampled, sampled);
    }
  }
}

TEST(StartTrace, ANewTraceIsSampledAtTheRatio) {
  for (int i = 0; i < 100; ++i) {
    EXPECT_TRUE(start_trace(std::nullopt, 1.0).sampled);
    EXPECT_FALSE(start_trace(std::nullopt, 0.0).sampled);
  }
  TraceContext trace = start_trace(std::nullopt, 1.0);
  EXPECT_FALSE(trace.parent);
  EXPECT_NE(trace.trace_id, TraceId{});
  EXPECT_NE(trace.span_id, SpanId{});
  // 20,000 draws at 0.25: 5,000 expected, a standard deviation of ~61; 6 of them either side.
  int sampled = 0;
  for (int i = 0; i < 20000; ++i) sampled += start_trace(std::nullopt, 0.25).sampled;
  EXPECT_GT(sampled, 5000 - 370);
  EXPECT_LT(sampled, 5000 + 370);
}
