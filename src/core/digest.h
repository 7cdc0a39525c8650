#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace switchyard {

// Raw 32-byte SHA-256 digest.
std::string sha256(std::string_view data);
std::string to_hex(std::string_view bytes);
// The bytes of lower- or upper-case hex; nullopt when `hex` is not an even run of hex digits.
std::optional<std::string> from_hex(std::string_view hex);
// `count` bytes from OpenSSL's CSPRNG (for secrets).
std::string random_bytes(std::size_t count);
// Compares in time independent of where the inputs differ.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace switchyard
