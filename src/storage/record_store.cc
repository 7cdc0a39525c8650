#include "storage/record_store.h"

#include <algorithm>
#include <limits>
#include <tuple>

#include "storage/log_pages.h"
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

std::string_view outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::ok: return "ok";
    case Outcome::error: return "error";
    case Outcome::rejected: return "rejected";
    case Outcome::cancelled: return "cancelled";
  }
  return "ok";
}

namespace {

// passes_log_filters for a record that owns its texts or one decoded in place.
template <class Record>
bool passes_log_filters_of(const LogQuery& q, const Record& r) {
  auto differs = [](const std::optional<std::string>& wanted, std::string_view value) {
    return wanted && value != *wanted;
  };
  std::string_view model = r.model.empty() ? std::string_view(r.model_requested) : std::string_view(r.model);
  if (differs(q.key_id, r.key_id) || differs(q.user, r.user) || differs(q.provider, r.provider) ||
      differs(q.use_case, r.use_case) || differs(q.model, model))
    return false;
  if (q.tag && std::find(r.tags.begin(), r.tags.end(), *q.tag) == r.tags.end()) return false;
  if ((q.outcome && outcome_of(r) != *q.outcome) || (q.status && r.status != *q.status) ||
      (q.streamed && r.streamed != *q.streamed) || (q.min_latency_ms && r.latency_ms < *q.min_latency_ms) ||
      (q.cache_hit && r.cache_hit != *q.cache_hit))
    return false;
  return !q.min_cost || (r.cost && *r.cost >= *q.min_cost);
}

template <class Record>
bool older(const Record& r, const LogPosition& at) {
  return r.created_ms < at.first || (r.created_ms == at.first && std::string_view(r.id) < at.second);
}

bool newer(const UsageRecord& a, const UsageRecord& b) {
  return std::tie(b.created_ms, b.id) < std::tie(a.created_ms, a.id);
}

}  // namespace

bool passes_log_filters(const LogQuery& query, const UsageRecord& r) { return passes_log_filters_of(query, r); }

LogPageBuilder::LogPageBuilder(const LogQuery& query) : query_(query), upper_(query.end_ms, "") {
  if (query.before && *query.before < upper_) upper_ = *query.before;
  bound_ = upper_;
}

bool LogPageBuilder::wants_more() const {
  if (page_.records.size() >= query_.limit) return false;
  return read_ < query_.scan_budget || !(bound_ < upper_);
}

template <class Record>
bool LogPageBuilder::selects(const Record& r) const {
  return r.created_ms >= query_.start_ms && older(r, upper_) && (!query_.team || r.team == *query_.team) &&
         passes_log_filters_of(query_, r);
}

void LogPageBuilder::offer(UsageRecord&& r) {
  if (selects(r)) keep(std::move(r));
}

void LogPageBuilder::keep(UsageRecord&& r) {
  kept_.push_back(std::move(r));
  // Only the newest `room` can join this page: the others are dropped now and then, so that a
  // filter that matches much never holds more than a few pages' worth.
  std::size_t room = query_.limit - page_.records.size();
  if (kept_.size() >= 2 * room + 64) {
    std::nth_element(kept_.begin(), kept_.begin() + static_cast<std::ptrdiff_t>(room), kept_.end(), newer);
    kept_.resize(room);
  }
}

bool LogPageBuilder::may_hold(std::string_view block) const {
  // A block holds every text of its records as it is (a repeat refers back to its first
  // occurrence in the same block, record_codec.cc): a text missing from its bytes is in none.
  for (const auto* text :
       {&query_.team, &query_.key_id, &query_.user, &query_.provider, &query_.tag, &query_.use_case, &query_.model})
    if (*text && !(*text)->empty() && block.find(**text) == std::string_view::npos) return false;
  return true;
}

void LogPageBuilder::offer_block(std::string_view block, std::size_t records) {
  count(records);
  if (!may_hold(block)) return;
  // Records are chosen on views, which cost no copy; only a block with one chosen is decoded whole.
  std::size_t n = RecordDecoder(block).next(views_, std::numeric_limits<std::size_t>::max());
  selected_.clear();
  for (std::size_t i = 0; i < n; ++i)
    if (selects(views_[i])) selected_.push_back(i);
  if (selected_.empty()) return;
  decode_records(block, decoded_);
  for (std::size_t i : selected_) keep(std::move(decoded_[i]));
}

void LogPageBuilder::settle(const LogPosition& bound) {
  if (bound < bound_) bound_ = bound;
  auto first_final = std::partition(kept_.begin(), kept_.end(), [&](const UsageRecord& r) { return older(r, bound_); });
  std::sort(first_final, kept_.end(), newer);
  for (auto it = first_final; it != kept_.end() && page_.records.size() < query_.limit; ++it)
    page_.records.push_back(std::move(*it));
  kept_.erase(first_final, kept_.end());
}

void LogPageBuilder::settle_all() {
  all_read_ = true;
  settle(LogPosition{std::numeric_limits<int64_t>::min(), ""});
}

LogPage LogPageBuilder::finish() {
  LogPage page = std::move(page_);
  if (query_.limit == 0) return page;
  if (page.records.size() >= query_.limit)
    page.next = LogPosition{page.records.back().created_ms, page.records.back().id};
  else if (!all_read_)
    page.next = bound_;  // the budget ran out: every record newer than the bound has been read
  return page;
}

}  // namespace switchyard
