#pragma once
// The keys and teams the gateway knows right now: those of the YAML file and those made through
// the admin API (kept in the record store). Authentication reads a snapshot with one atomic
// load; a background thread merges what the store changed (every replica polls it, so a key
// revoked through one replica is refused by all within a poll interval), and a config reload
// replaces the file's part.
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/config.h"

namespace switchyard {

struct KeySnapshot {
  std::unordered_map<std::string, std::shared_ptr<const ApiKey>> by_digest;  // raw sha256 -> key
  std::map<std::string, std::shared_ptr<const ApiKey>, std::less<>> by_id;
  std::map<std::string, TeamPolicy, std::less<>> teams;
  bool any_keys() const { return !by_digest.empty(); }
  const ApiKey* find_digest(const std::string& digest) const;
  const TeamPolicy* team(std::string_view name) const;
};

class KeyTable {
 public:
  explicit KeyTable(const Config& config);
  std::shared_ptr<const KeySnapshot> snapshot() const { return snapshot_.load(std::memory_order_acquire); }
  // The file's keys and teams after a reload; those from the store stay.
  void reload(const Config& config);
  // Keys and teams the store has (new or changed); revoked keys stay, refused, so a revocation
  // is seen. The file's entries win over the store's for the same key or team name.
  void merge(std::vector<ApiKey> keys, std::vector<TeamPolicy> teams);

 private:
  void publish();  // mutex_ held

  std::mutex mutex_;
  std::vector<ApiKey> file_keys_;
  std::map<std::string, TeamPolicy, std::less<>> file_teams_;
  std::map<std::string, ApiKey, std::less<>> stored_keys_;  // by id
  std::map<std::string, TeamPolicy, std::less<>> stored_teams_;
  std::atomic<std::shared_ptr<const KeySnapshot>> snapshot_;
};

}  // namespace switchyard
