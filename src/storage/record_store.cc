#include "storage/record_store.h"

#include <algorithm>

#include "storage/postgres_store.h"
#include "storage/sqlite_store.h"

namespace switchyard {

void scan_pages(RecordStore& store, ScanQuery query, const std::function<bool(std::vector<UsageRecord>&)>& page) {
  for (;;) {
    auto records = store.scan(query);
    bool full = records.size() == query.limit;
    if (full && records.front().created_ms != records.back().created_ms) {
      // The next page starts at the last millisecond seen: drop it here so none is read twice.
      int64_t last = records.back().created_ms;
      while (records.back().created_ms == last) records.pop_back();
      query.start_ms = last;
    } else if (full) {
      query.limit *= 2;  // one millisecond holds a whole page: read it again, whole
      continue;
    }
    if (records.empty() || !page(records) || !full) return;
  }
}

void RecordStore::append(const EncodedRecords& records) {
  std::vector<UsageRecord> decoded;
  decode_records(records.bytes, decoded);
  write(decoded);
}

std::unique_ptr<RecordStore> open_store(const std::string& url) {
  if (url.starts_with("sqlite:")) return open_sqlite_store(url.substr(7));
  if (url.starts_with("postgres://") || url.starts_with("postgresql://")) return open_postgres_store(url);
  throw StoreError("storage must be sqlite:PATH or postgres://... (got '" + url + "')");
}

bool passes_filters(const ReportQuery& query, const UsageRecord& r) {
  const std::string& model = r.model.empty() ? r.model_requested : r.model;
  if ((query.user && r.user != *query.user) || (query.model && model != *query.model) ||
      (query.provider && r.provider != *query.provider) || (query.byok && r.byok != *query.byok) ||
      (query.key_id && r.key_id != *query.key_id))
    return false;
  if (query.tags.empty()) return true;
  for (const auto& tag : r.tags)
    if (std::find(query.tags.begin(), query.tags.end(), tag) != query.tags.end()) return true;
  return false;
}

}  // namespace switchyard
