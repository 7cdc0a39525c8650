#pragma once
// Pre-aggregated traffic, in parts that stay small however many teams and requests there are:
// - cells: hour x model x provider x upstream model x use case x outcome (answered, ended in a
//   tool call, rescued by a fallback, served from the response cache), with no team in the key,
//   kept per day: every figure over all teams is a sum over a window's cells, and their number
//   grows with neither teams nor requests;
// - per team: one cell per day (requests, requests a provider answered, their tokens and cost:
//   segments and volume buckets) and one per model and 32-day block with a bit per day it was
//   used (distinct models in any window). A team has at most a cell a day and a few per model
//   and month.
// Attempts per hour x provider give the uptimes. Names are interned to small ids.
#include <array>
#include <boost/unordered/unordered_flat_map.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "storage/record_store.h"
#include "storage/usage_record.h"

namespace switchyard {

// Interned names, at most kMaxNames of them: names come partly from clients (model ids of the
// form provider/anything, use cases, users), so once full every new name counts as kOther.
class Names {
 public:
  static constexpr std::size_t kMaxNames = 100'000;
  static constexpr std::string_view kOther = "(other)";
  uint32_t id(std::string_view name);
  // The same, trying first the id this call site got last (`last`, kept by the caller):
  // consecutive records mostly share their route and team, and a compare is cheaper than a hash.
  uint32_t id(std::string_view name, uint32_t& last) {
    if (last < names_.size() && names_[last] == name) return last;
    return last = id(name);
  }
  const std::string& name(uint32_t id) const { return names_[id]; }

 private:
  struct Hash {  // transparent: looking a name up makes no string
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  boost::unordered_flat_map<std::string, uint32_t, Hash, std::equal_to<>> ids_;
  std::vector<std::string> names_;
};

struct RollupKey {
  int32_t hour = 0;  // hours since 1970-01-01 UTC
  uint32_t model = 0, provider = 0, upstream = 0, use_case = 0;
  uint8_t flags = 0;  // kAnswered | kToolCall | kRescued | kCacheHit
  bool operator==(const RollupKey&) const = default;
};

struct RollupCell {
  int64_t requests = 0, tokens = 0;
  double cost = 0;
  double saved_cost = 0;  // of cache hits: what their kept answers cost when made (priced ones)
};

struct TeamDay {
  int32_t day = 0;                      // days since 1970-01-01 UTC
  uint32_t requests = 0, answered = 0;  // answered: by a provider (cache hits are not)
  int64_t tokens = 0;                   // of the answered requests, like cost
  double cost = 0;
};

struct TeamModelDays {
  uint32_t model = 0;
  int32_t block = 0;  // days [32 * block, 32 * block + 32)
  uint32_t used = 0;  // bit d: used on day 32 * block + d
};

struct TeamCells {
  std::vector<TeamDay> days;          // in time order
  std::vector<TeamModelDays> models;  // in block order
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
  static constexpr uint8_t kAnswered = 1, kToolCall = 2, kRescued = 4, kCacheHit = 8;

  using CellMap = boost::unordered_flat_map<RollupKey, RollupCell, RollupKeyHash>;

  Rollup() = default;
  // Moves keep the map nodes today_ points into; a copy would point into the original.
  Rollup(Rollup&&) = default;
  Rollup& operator=(Rollup&&) = default;
  Rollup(const Rollup&) = delete;
  Rollup& operator=(const Rollup&) = delete;

  template <class Record>  // UsageRecord or RecordView
  void add(const Record& record);
  std::size_t cell_count() const;
  std::size_t team_cell_count() const;

  Names names;                        // models, providers, upstream models, use cases
  Names teams;                        // team_cells[id] belongs to teams.name(id)
  std::map<int32_t, CellMap> cells;   // by day
  std::vector<TeamCells> team_cells;  // by team id
  boost::unordered_flat_map<AttemptKey, AttemptCell, AttemptKeyHash> attempts;

 private:
  std::pair<int32_t, CellMap*> today_{0, nullptr};  // records come in time order: one map lookup a day
  enum Place { kModel, kProvider, kUpstream, kUseCase, kTeam, kAttemptProvider, kPlaces };
  std::array<uint32_t, kPlaces> last_ids_ = [] {
    std::array<uint32_t, kPlaces> none;
    none.fill(UINT32_MAX);
    return none;
  }();
};

// Every record `query` selects (its limit is the page size) rolled up page by page, so memory is
// that of the cells whatever the number of records; `progress` gets the count after each page.
Rollup roll_up_store(RecordStore& store, const ScanQuery& query, const std::function<void(std::size_t)>& progress = {});

}  // namespace switchyard
