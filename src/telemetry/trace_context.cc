#include "telemetry/trace_context.h"

#include <algorithm>
#include <random>

namespace switchyard {
namespace {

// 0..15 for a lowercase hex digit, -1 for anything else (uppercase included: the specification's
// HEXDIGLC).
int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// `hex` (2 digits a byte) into `out`; false when a digit is not lowercase hex.
template <std::size_t N>
bool read_hex(std::string_view hex, std::array<uint8_t, N>& out) {
  for (std::size_t i = 0; i < N; ++i) {
    int high = hex_digit(hex[2 * i]), low = hex_digit(hex[2 * i + 1]);
    if (high < 0 || low < 0) return false;
    out[i] = static_cast<uint8_t>(high << 4 | low);
  }
  return true;
}

template <std::size_t N>
bool all_zero(const std::array<uint8_t, N>& id) {
  return std::all_of(id.begin(), id.end(), [](uint8_t b) { return b == 0; });
}

// Each thread's own generator, seeded with 128 bits from the OS: threads and processes draw
// different ids without sharing any state.
std::mt19937_64& generator() {
  thread_local std::mt19937_64 rng = [] {
    std::random_device device;
    std::seed_seq seed{device(), device(), device(), device()};
    return std::mt19937_64(seed);
  }();
  return rng;
}

template <std::size_t N>
void fill_random(std::array<uint8_t, N>& id) {
  do {
    for (std::size_t i = 0; i < N; i += 8) {
      uint64_t bits = generator()();
      for (std::size_t j = 0; j < 8 && i + j < N; ++j) id[i + j] = static_cast<uint8_t>(bits >> (8 * j));
    }
  } while (all_zero(id));
}

}  // namespace

std::optional<TraceParent> parse_traceparent(std::string_view header) {
  // version "-" trace-id "-" parent-id "-" trace-flags: 2 + 1 + 32 + 1 + 16 + 1 + 2 characters.
  constexpr std::size_t kSize = 55;
  if (header.size() < kSize || header[2] != '-' || header[35] != '-' || header[52] != '-') return std::nullopt;
  std::array<uint8_t, 1> version{}, flags{};
  if (!read_hex(header.substr(0, 2), version) || version[0] == 0xff) return std::nullopt;
  // Version 00 is exactly these fields; a later version may add more after a '-'.
  if (version[0] == 0 ? header.size() != kSize : header.size() > kSize && header[kSize] != '-') return std::nullopt;
  TraceParent parent;
  if (!read_hex(header.substr(3, 32), parent.trace_id) || !read_hex(header.substr(36, 16), parent.span_id) ||
      !read_hex(header.substr(53, 2), flags))
    return std::nullopt;
  if (all_zero(parent.trace_id) || all_zero(parent.span_id)) return std::nullopt;
  parent.sampled = (flags[0] & 1) != 0;
  return parent;
}

std::string to_hex(const uint8_t* bytes, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(2 * size, '0');
  for (std::size_t i = 0; i < size; ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 15];
  }
  return out;
}

std::string format_traceparent(const TraceId& trace, const SpanId& span, bool sampled) {
  std::string out = "00-";
  out += to_hex(trace.data(), trace.size());
  out += '-';
  out += to_hex(span.data(), span.size());
  out += sampled ? "-01" : "-00";
  return out;
}

TraceId new_trace_id() {
  TraceId id;
  fill_random(id);
  return id;
}

SpanId new_span_id() {
  SpanId id;
  fill_random(id);
  return id;
}

TraceContext start_trace(const std::optional<TraceParent>& incoming, double sample_ratio) {
  TraceContext trace;
  trace.span_id = new_span_id();
  if (incoming) {
    trace.trace_id = incoming->trace_id;
    trace.parent = incoming->span_id;
    trace.sampled = incoming->sampled;
    return trace;
  }
  trace.trace_id = new_trace_id();
  uint64_t low = 0;  // the id's last 8 bytes, big-endian
  for (std::size_t i = 8; i < 16; ++i) low = low << 8 | trace.trace_id[i];
  // 0x1p64 * ratio is below 2^64 for any ratio below 1, so the conversion cannot overflow.
  trace.sampled = sample_ratio >= 1 || (sample_ratio > 0 && low < static_cast<uint64_t>(0x1p64 * sample_ratio));
  return trace;
}

}  // namespace switchyard
