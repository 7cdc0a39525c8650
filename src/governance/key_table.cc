#include "governance/key_table.h"

namespace switchyard {

const ApiKey* KeySnapshot::find_digest(const std::string& digest) const {
  auto found = by_digest.find(digest);
  return found == by_digest.end() ? nullptr : found->second.get();
}

const TeamPolicy* KeySnapshot::team(std::string_view name) const {
  auto found = teams.find(name);
  return found == teams.end() ? nullptr : &found->second;
}

KeyTable::KeyTable(const Config& config) { reload(config); }

void KeyTable::reload(const Config& config) {
  std::lock_guard lock(mutex_);
  file_keys_ = config.keys;
  file_teams_ = config.teams;
  publish();
}

void KeyTable::merge(std::vector<ApiKey> keys, std::vector<TeamPolicy> teams) {
  if (keys.empty() && teams.empty()) return;
  std::lock_guard lock(mutex_);
  for (auto& key : keys) stored_keys_[key.key_id] = std::move(key);
  for (auto& team : teams) stored_teams_[team.name] = std::move(team);
  publish();
}

void KeyTable::publish() {
  auto next = std::make_shared<KeySnapshot>();
  for (const auto& [id, key] : stored_keys_) {
    auto shared = std::make_shared<const ApiKey>(key);
    next->by_digest[key.sha256] = shared;
    next->by_id[id] = shared;
  }
  for (const auto& key : file_keys_) {
    auto shared = std::make_shared<const ApiKey>(key);
    next->by_digest[key.sha256] = shared;
    next->by_id[key.key_id] = shared;
  }
  next->teams = stored_teams_;
  for (const auto& [name, team] : file_teams_) next->teams[name] = team;
  snapshot_.store(std::move(next), std::memory_order_release);
}

}  // namespace switchyard
