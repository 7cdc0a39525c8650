#pragma once
// What fuzz targets share. FUZZ_CHECK, a fuzz target's assertion: says which property broke, then
// aborts, so libFuzzer keeps the input and prints the stack (assert() would vanish under NDEBUG,
// which the fuzz preset's RelWithDebInfo defines). json_object, to read what a translator wrote.
#include <boost/json/object.hpp>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string_view>

#include "translate/json_parse.h"

#define FUZZ_CHECK(condition)                                                                    \
  do {                                                                                           \
    if (!(condition)) {                                                                          \
      std::fprintf(stderr, "%s:%d: fuzz property failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                              \
    }                                                                                            \
  } while (0)

// `text` as a JSON object; nullopt when it is not one.
inline std::optional<boost::json::object> json_object(std::string_view text) {
  boost::system::error_code ec;
  boost::json::value value = switchyard::parse_json(text, ec);
  if (ec || !value.is_object()) return std::nullopt;
  return std::move(value.get_object());
}
