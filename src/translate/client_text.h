#pragma once
// Checks on text a client sends that the gateway keeps or writes out again (model ids, user,
// tags, use case): into URL paths, header values, metric labels, logs and records. Text that
// passes is valid UTF-8, holds no control character (so no CR, LF or NUL can reach a message
// head) and is at most a stated number of bytes long.
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"

namespace switchyard {

// Size limits of client text, in bytes.
inline constexpr std::size_t kMaxModelIdBytes = 256;
inline constexpr std::size_t kMaxUserBytes = 256;
inline constexpr std::size_t kMaxTagBytes = 128;
inline constexpr std::size_t kMaxTags = 32;
inline constexpr std::size_t kMaxUseCaseBytes = 128;

// True when `text` is valid UTF-8 (no overlong forms, no surrogates).
bool is_valid_utf8(std::string_view text);

// `text` with every byte that is not part of a valid UTF-8 sequence (a cut character, a Latin-1
// page) replaced by U+FFFD, so it can go into JSON and records.
std::string valid_utf8(std::string_view text);

// A bad_request Error naming `field` when `text` is longer than `max_bytes`, is not valid UTF-8
// or holds a control character (U+0000-U+001F, U+007F); nullopt when it may be kept.
std::optional<Error> check_client_text(std::string_view text, std::string_view field, std::size_t max_bytes);

// `segment` percent-encoded for one URL path segment (Boost.URL): every byte but RFC 3986's pchars
// (unreserved, sub-delims ! $ & ' ( ) * + , ; = and '@') except ':' (which ends a Gemini model
// name) becomes %XX, so '/', '?', '#', '%', spaces, CR and LF cannot change the path.
std::string percent_encode_segment(std::string_view segment);

// A URL path segment percent-decoded (Boost.URL); nullopt when it holds a malformed escape.
std::optional<std::string> percent_decode(std::string_view segment);

}  // namespace switchyard
