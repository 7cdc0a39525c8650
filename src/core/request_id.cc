#include "core/request_id.h"

#include <chrono>
#include <random>

namespace switchyard {

std::string format_ulid(uint64_t unix_ms, uint64_t random_hi16, uint64_t random_lo64) {
  static constexpr char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  // 128 bits: time (48) | random (80), written as 26 base32 digits, most significant first.
  unsigned __int128 value = (static_cast<unsigned __int128>(unix_ms & 0xFFFFFFFFFFFFull) << 80) |
                            (static_cast<unsigned __int128>(random_hi16 & 0xFFFF) << 64) | random_lo64;
  char out[26];
  for (int i = 25; i >= 0; --i) {
    out[i] = alphabet[static_cast<unsigned>(value & 31)];
    value >>= 5;
  }
  return std::string(out, 26);
}

std::optional<int64_t> request_id_unix_ms(std::string_view id) {
  static constexpr std::string_view alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  if (id.size() != 30 || !id.starts_with("gen_")) return std::nullopt;
  uint64_t ms = 0;
  for (char c : id.substr(4, 10)) {  // the first 10 digits: 50 bits, of which the low 48 are time
    auto digit = alphabet.find(c);
    if (digit == std::string_view::npos) return std::nullopt;
    ms = ms << 5 | digit;
  }
  return static_cast<int64_t>(ms & 0xFFFFFFFFFFFFull);
}

namespace {
// The first 20 of the 80 random bits: drawn once per process.
uint32_t instance_bits() {
  static const uint32_t bits = static_cast<uint32_t>(std::random_device{}()) & 0xFFFFF;
  return bits;
}
}  // namespace

std::string new_request_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch());
  const uint64_t tag = instance_bits();
  return "gen_" + format_ulid(static_cast<uint64_t>(ms.count()), tag >> 4, (tag & 0xF) << 60 | rng() >> 4);
}

const std::string& this_instance_tag() {
  static const std::string tag =
      format_ulid(0, instance_bits() >> 4, uint64_t{instance_bits() & 0xF} << 60).substr(10, 4);
  return tag;
}

}  // namespace switchyard
