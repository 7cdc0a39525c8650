#pragma once
// A fuzz target's assertion: says which property broke, then aborts, so libFuzzer keeps the input
// and prints the stack (assert() would vanish under NDEBUG, which the fuzz preset's
// RelWithDebInfo defines).
#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(condition)                                                                    \
  do {                                                                                           \
    if (!(condition)) {                                                                          \
      std::fprintf(stderr, "%s:%d: fuzz property failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                              \
    }                                                                                            \
  } while (0)
