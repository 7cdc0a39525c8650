#include "analytics/rollup.h"

namespace switchyard {
namespace {

std::size_t mix(std::size_t seed, uint64_t value) {
  return seed ^ (value + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2));
}

}  // namespace

uint32_t Names::id(std::string_view name) {
  if (auto it = ids_.find(name); it != ids_.end()) return it->second;
  auto id = static_cast<uint32_t>(names_.size());
  names_.emplace_back(name);
  ids_.emplace(names_.back(), id);
  return id;
}

std::size_t RollupKeyHash::operator()(const RollupKey& k) const {
  std::size_t h = mix(0, static_cast<uint64_t>(k.hour) << 8 | k.flags);
  h = mix(h, static_cast<uint64_t>(k.team) << 32 | k.model);
  h = mix(h, static_cast<uint64_t>(k.provider) << 32 | k.upstream);
  return mix(h, k.use_case);
}

std::size_t AttemptKeyHash::operator()(const AttemptKey& k) const {
  return mix(0, static_cast<uint64_t>(static_cast<uint32_t>(k.hour)) << 32 | k.provider);
}

void Rollup::add(const UsageRecord& r) {
  RollupKey key;
  key.hour = static_cast<int32_t>(r.created_ms / 3600000);
  key.team = names.id(r.team);
  key.model = names.id(r.model);
  key.provider = names.id(r.provider);
  key.upstream = names.id(r.upstream_model);
  key.use_case = names.id(r.use_case.empty() ? "unspecified" : r.use_case);
  if (r.status > 0 && r.status < 400) key.flags |= kAnswered;
  if (r.finish_reason == "tool_calls") key.flags |= kToolCall;
  if (r.attempts.size() > 1) key.flags |= kRescued;
  RollupCell& cell = cells[key];
  ++cell.requests;
  cell.tokens += r.input_tokens + r.output_tokens;
  cell.cost += r.cost.value_or(0);
  for (const auto& a : r.attempts) {
    AttemptCell& at = attempts[AttemptKey{key.hour, names.id(a.provider)}];
    ++at.attempts;
    at.successes += a.success;
    if (r.cost) {
      at.priced = true;
      at.cost += *r.cost;
      if (a.success) at.success_cost += *r.cost;
    }
  }
}

}  // namespace switchyard
