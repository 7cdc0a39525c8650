#pragma once
// What `strategy: sort` (or a request's providerOptions.gateway.sort) orders a model's routes by:
// list price, measured time to first token (lowest first), measured output tokens per second
// (highest first). Header only: the config reader and the request parse phase both read its words.
#include <optional>
#include <string_view>

namespace switchyard {

enum class SortBy { cost, ttft, tps };

// "cost", "ttft", "tps": the config's and providerOptions.gateway.sort's words.
inline const char* to_string(SortBy sort) {
  switch (sort) {
    case SortBy::cost: return "cost";
    case SortBy::ttft: return "ttft";
    case SortBy::tps: return "tps";
  }
  return "?";
}

// The SortBy a word names; nullopt when it names none.
inline std::optional<SortBy> sort_by_named(std::string_view name) {
  for (SortBy sort : {SortBy::cost, SortBy::ttft, SortBy::tps})
    if (name == to_string(sort)) return sort;
  return std::nullopt;
}

}  // namespace switchyard
