#pragma once
// A record store in memory that fails on demand, for tests of what the recorder does when its
// store goes down, comes back, or fails part way. The test keeps a handle to its state.
#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <tuple>

#include "storage/log_pages.h"
#include "storage/record_store.h"

namespace switchyard::testing {

struct MemoryStoreState {
  std::mutex mutex;
  std::vector<UsageRecord> records;
  std::map<std::string, StoredResponse> responses;
  std::map<std::string, PolicyRow> keys, teams;  // by id (a team's: its name)
  std::atomic<bool> down{false};
  std::atomic<int> writes_until_down{-1};  // >= 0: that many more writes succeed, then the store is down
  std::atomic<int> writes{0};
  std::size_t size() {
    std::lock_guard lock(mutex);
    return records.size();
  }
};

class MemoryStore final : public RecordStore {
 public:
  explicit MemoryStore(std::shared_ptr<MemoryStoreState> state) : state_(std::move(state)) {}
  void write(std::span<const UsageRecord> records) override {
    if (state_->writes_until_down.load() == 0) state_->down = true;
    if (state_->down) throw StoreError("the memory store is down");
    if (state_->writes_until_down.load() > 0) --state_->writes_until_down;
    ++state_->writes;
    std::lock_guard lock(state_->mutex);
    for (const auto& r : records) {
      bool seen = false;
      for (const auto& stored : state_->records) seen = seen || stored.id == r.id;
      if (!seen) state_->records.push_back(r);
    }
  }
  void append(const EncodedRecords& encoded) override {
    std::vector<UsageRecord> records;
    decode_records(encoded.bytes, records);
    write(records);
  }
  std::optional<UsageRecord> find(const std::string& id) override {
    std::lock_guard lock(state_->mutex);
    for (const auto& r : state_->records)
      if (r.id == id) return r;
    return std::nullopt;
  }
  std::vector<ReportRow> report(const ReportQuery&) override { return {}; }
  std::vector<UsageRecord> scan(const ScanQuery&) override { return {}; }
  // Every record, newest first, through the builder the real stores use (same cursor and budget).
  LogPage recent(const LogQuery& query) override {
    if (state_->down) throw StoreError("the memory store is down");
    std::lock_guard lock(state_->mutex);
    std::vector<const UsageRecord*> records;
    for (const auto& r : state_->records) records.push_back(&r);
    std::sort(records.begin(), records.end(), [](const auto* a, const auto* b) {
      return std::tie(b->created_ms, b->id) < std::tie(a->created_ms, a->id);
    });
    LogPageBuilder page(query);
    for (const auto* r : records) {
      // Records newer than the page are not read, as a store's index passes them by.
      if (std::tie(r->created_ms, r->id) >= std::tie(page.upper().first, page.upper().second)) continue;
      if (!page.wants_more()) return page.finish();
      page.count(1);
      page.offer(UsageRecord(*r));
      page.settle({r->created_ms, r->id});
    }
    page.settle_all();
    return page.finish();
  }
  void put_response(const StoredResponse& response, int64_t expire_before_ms) override {
    if (state_->down) throw StoreError("the memory store is down");
    std::lock_guard lock(state_->mutex);
    state_->responses[response.id] = response;
    std::erase_if(state_->responses, [&](const auto& entry) { return entry.second.created_ms < expire_before_ms; });
  }
  std::optional<StoredResponse> find_response(const std::string& id) override {
    if (state_->down) throw StoreError("the memory store is down");
    std::lock_guard lock(state_->mutex);
    auto found = state_->responses.find(id);
    return found == state_->responses.end() ? std::nullopt : std::optional(found->second);
  }
  bool delete_response(const std::string& id) override {
    std::lock_guard lock(state_->mutex);
    return state_->responses.erase(id) > 0;
  }
  void put_key(const PolicyRow& row) override { put(state_->keys, row); }
  std::vector<PolicyRow> keys_changed_since(int64_t since_ms, std::size_t limit) override {
    return changed_since(state_->keys, since_ms, limit);
  }
  void put_team(const PolicyRow& row) override { put(state_->teams, row); }
  std::vector<PolicyRow> teams_changed_since(int64_t since_ms, std::size_t limit) override {
    return changed_since(state_->teams, since_ms, limit);
  }
  std::string describe() const override { return "memory"; }

 private:
  void put(std::map<std::string, PolicyRow>& rows, const PolicyRow& row) {
    if (state_->down) throw StoreError("the memory store is down");
    std::lock_guard lock(state_->mutex);
    rows[row.id] = row;
  }
  // As the SQL stores list them: updated_ms >= since_ms, by (updated_ms, id), at most `limit`.
  std::vector<PolicyRow> changed_since(const std::map<std::string, PolicyRow>& rows, int64_t since_ms,
                                       std::size_t limit) {
    if (state_->down) throw StoreError("the memory store is down");
    std::lock_guard lock(state_->mutex);
    std::vector<PolicyRow> out;
    for (const auto& [id, row] : rows)
      if (row.updated_ms >= since_ms) out.push_back(row);
    std::stable_sort(out.begin(), out.end(),
                     [](const PolicyRow& a, const PolicyRow& b) { return a.updated_ms < b.updated_ms; });
    if (out.size() > limit) out.resize(limit);
    return out;
  }

  std::shared_ptr<MemoryStoreState> state_;
};

}  // namespace switchyard::testing
