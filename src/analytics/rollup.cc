#include "analytics/rollup.h"

namespace switchyard {
namespace {

std::size_t mix(std::size_t seed, uint64_t value) {
  return seed ^ (value + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2));
}

int32_t floor_div(int64_t value, int64_t by) {
  return static_cast<int32_t>(value >= 0 ? value / by : (value - by + 1) / by);
}

}  // namespace

uint32_t Names::id(std::string_view name) {
  if (auto it = ids_.find(name); it != ids_.end()) return it->second;
  if (names_.size() >= kMaxNames && name != kOther) return id(kOther);
  auto id = static_cast<uint32_t>(names_.size());
  names_.emplace_back(name);
  ids_.emplace(names_.back(), id);
  return id;
}

std::size_t RollupKeyHash::operator()(const RollupKey& k) const {
  std::size_t h = mix(0, static_cast<uint64_t>(static_cast<uint32_t>(k.hour)) << 8 | k.flags);
  h = mix(h, static_cast<uint64_t>(k.model) << 32 | k.provider);
  return mix(h, static_cast<uint64_t>(k.upstream) << 32 | k.use_case);
}

std::size_t AttemptKeyHash::operator()(const AttemptKey& k) const {
  return mix(0, static_cast<uint64_t>(static_cast<uint32_t>(k.hour)) << 32 | k.provider);
}

std::size_t Rollup::cell_count() const {
  std::size_t n = 0;
  for (const auto& [day, day_cells] : cells) n += day_cells.size();
  return n;
}

std::size_t Rollup::team_cell_count() const {
  std::size_t n = 0;
  for (const auto& team : team_cells) n += team.days.size() + team.models.size();
  return n;
}

template <class Record>
void Rollup::add(const Record& r) {
  RollupKey key;
  key.hour = floor_div(r.created_ms, 3600000);
  key.model = names.id(r.model, last_ids_[kModel]);
  key.provider = names.id(r.provider, last_ids_[kProvider]);
  key.upstream = names.id(r.upstream_model, last_ids_[kUpstream]);
  key.use_case = names.id(r.use_case.empty() ? std::string_view("unspecified") : std::string_view(r.use_case),
                          last_ids_[kUseCase]);
  const bool answered = r.status > 0 && r.status < 400;
  if (answered) key.flags |= kAnswered;
  if (r.finish_reason == "tool_calls") key.flags |= kToolCall;
  if (r.attempts.size() > 1) key.flags |= kRescued;
  if (r.cache_hit) key.flags |= kCacheHit;
  const int64_t tokens = r.input_tokens + r.output_tokens;
  const double cost = r.cost.value_or(0);
  const int32_t day = floor_div(key.hour, 24);
  if (!today_.second || today_.first != day) today_ = {day, &cells[day]};
  RollupCell& cell = (*today_.second)[key];
  ++cell.requests;
  cell.tokens += tokens;
  cell.cost += cost;
  cell.saved_cost += r.saved_cost.value_or(0);

  // A team's cells come in time order, so the current day's and block's are at the back. (A
  // record out of order makes a second cell for its day: the sums stay right.)
  uint32_t team = teams.id(r.team, last_ids_[kTeam]);
  if (team >= team_cells.size()) team_cells.resize(team + 1);
  TeamCells& mine = team_cells[team];
  if (mine.days.empty() || mine.days.back().day != day) mine.days.push_back(TeamDay{day});
  TeamDay& today = mine.days.back();
  ++today.requests;
  if (answered && !r.cache_hit) {
    ++today.answered;
    today.tokens += tokens;
    today.cost += cost;
  }
  const int32_t block = floor_div(day, 32);
  TeamModelDays* used = nullptr;
  for (auto it = mine.models.rbegin(); it != mine.models.rend() && it->block == block; ++it)
    if (it->model == key.model) {
      used = &*it;
      break;
    }
  if (!used) used = &mine.models.emplace_back(TeamModelDays{key.model, block});
  used->used |= 1u << (day - block * 32);

  for (const auto& a : r.attempts) {
    AttemptCell& at = attempts[AttemptKey{key.hour, names.id(a.provider, last_ids_[kAttemptProvider])}];
    ++at.attempts;
    at.successes += a.success;
    if (r.cost) {
      at.priced = true;
      at.cost += *r.cost;
      if (a.success) at.success_cost += *r.cost;
    }
  }
}

template void Rollup::add(const UsageRecord&);
template void Rollup::add(const RecordView&);

Rollup roll_up_store(RecordStore& store, const ScanQuery& query, const std::function<void(std::size_t)>& progress) {
  Rollup rollup;
  std::size_t read = 0;
  scan_pages(store, query, [&](std::vector<UsageRecord>& page) {
    for (const auto& record : page) rollup.add(record);
    read += page.size();
    if (progress) progress(read);
    return true;
  });
  return rollup;
}

}  // namespace switchyard
