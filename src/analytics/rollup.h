#pragma once
// Pre-aggregated traffic: one cell per hour x team x model x provider x upstream model x use case
// x outcome (answered, ended in a tool call, rescued by a fallback), and one per hour x provider
// for attempts. Every insights figure is a sum over cells (distinct models per team included:
// the cells keep team and model apart), so a history of any length is read as its cells, not its
// records. Names are interned to small ids: a key is a few integers.
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "storage/usage_record.h"

namespace switchyard {

class Names {
 public:
  uint32_t id(std::string_view name);
  const std::string& name(uint32_t id) const { return names_[id]; }

 private:
  struct Hash {  // transparent: looking a name up makes no string
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  std::unordered_map<std::string, uint32_t, Hash, std::equal_to<>> ids_;
  std::vector<std::string> names_;
};

struct RollupKey {
  int32_t hour = 0;  // hours since 1970-01-01 UTC
  uint32_t team = 0, model = 0, provider = 0, upstream = 0, use_case = 0;
  uint8_t flags = 0;  // kAnswered | kToolCall | kRescued
  bool operator==(const RollupKey&) const = default;
};

struct RollupCell {
  int64_t requests = 0, tokens = 0;
  double cost = 0;
};

struct AttemptKey {
  int32_t hour = 0;
  uint32_t provider = 0;
  bool operator==(const AttemptKey&) const = default;
};

struct AttemptCell {
  int64_t attempts = 0, successes = 0;
  double cost = 0, success_cost = 0;  // the request cost of its (successful) attempts
  bool priced = false;                // some attempt belongs to a priced request
};

struct RollupKeyHash {
  std::size_t operator()(const RollupKey& k) const;
};
struct AttemptKeyHash {
  std::size_t operator()(const AttemptKey& k) const;
};

class Rollup {
 public:
  static constexpr uint8_t kAnswered = 1, kToolCall = 2, kRescued = 4;

  void add(const UsageRecord& record);

  Names names;
  std::unordered_map<RollupKey, RollupCell, RollupKeyHash> cells;
  std::unordered_map<AttemptKey, AttemptCell, AttemptKeyHash> attempts;
};

}  // namespace switchyard
