#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace switchyard {

// A new generation id, "gen_" + ULID (26 Crockford base32 characters: 48 bits of Unix
// milliseconds, then 80 random bits), so ids sort by time. Cheap and lock-free: each thread
// draws from its own generator. The first 20 random bits are drawn once per process: they tell
// which gateway made a record when several share one store (id characters 15-18, 1-based).
std::string new_request_id();
// Those 4 characters of this process's ids.
const std::string& this_instance_tag();
// The Unix milliseconds at the start of a "gen_" + ULID id; nullopt when it is not one.
std::optional<int64_t> request_id_unix_ms(std::string_view id);
// The same from explicit parts, for tests.
std::string format_ulid(uint64_t unix_ms, uint64_t random_hi16, uint64_t random_lo64);

}  // namespace switchyard
