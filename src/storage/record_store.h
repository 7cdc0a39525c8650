#pragma once
// Where records live, behind one interface: SQLite (embedded, the default) or PostgreSQL (when
// several gateways share one store). Writes come from the recorder's thread only; reads (the
// generation and report APIs) from a blocking pool, never from the event loops.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "storage/record_codec.h"
#include "storage/usage_record.h"

namespace switchyard {

struct StoreError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct ReportQuery {
  int64_t start_ms = 0, end_ms = 0;  // [start, end)
  std::string group_by;              // day | model | provider | user | tag | team
  std::optional<std::string> team;   // only this team's records
  // Only records that match every filter given (the AI SDK's getSpendReport filters).
  std::optional<std::string> user, model, provider;  // model: the id served (else the one asked for)
  std::vector<std::string> tags;                     // records that carry any of these
  std::optional<bool> byok;                          // credential_type: byok (true) or system (false)
  std::optional<std::string> key_id;                 // only this key's records (budgets per key)
};

// Whether `r` passes `query`'s filters (its window and team aside).
bool passes_filters(const ReportQuery& query, const UsageRecord& r);

struct ReportRow {
  std::string key;
  double total_cost = 0;
  int64_t input_tokens = 0, output_tokens = 0, cached_input_tokens = 0, cache_creation_input_tokens = 0,
          reasoning_tokens = 0, request_count = 0;
};

// One Responses API response kept for the conversation that may continue from it
// (previous_response_id) and for GET /v1/responses/{id}.
struct StoredResponse {
  std::string id;  // the response id (the request's generation id)
  std::string team;
  int64_t created_ms = 0;
  std::string input;     // a JSON array: every input item of the conversation up to this response
  std::string response;  // the response object, as the client got it
};

// A key or a team made through the admin API, as the store keeps it: the whole entry as JSON
// (`body`, governance/key_json.h), with what lookups need beside it. A key's secret is never
// here, only its digest inside the body.
struct PolicyRow {
  std::string id;          // a key's id ("key_..."), or a team's name
  std::string team;        // a key's team; a team's own name
  int64_t updated_ms = 0;  // Unix ms of the last change: replicas poll for rows changed since
  std::string body;
};

struct ScanQuery {
  int64_t start_ms = 0, end_ms = 0;  // [start, end)
  std::size_t limit = 0;
  std::optional<std::string> team;  // only this team's records
  // Only records of other gateways: ids without this instance tag (core/request_id.h).
  std::optional<std::string> not_instance;
};

// What became of a request, as the request log shows it: `cancelled` (the client left: 499),
// `rejected` (refused by the gateway before any upstream was tried: bad JSON, a bad key, an
// unknown model, a limit), `error` (any other status of 400 and more), else `ok`.
enum class Outcome { ok, error, rejected, cancelled };
template <class Record>  // UsageRecord or RecordView
Outcome outcome_of(const Record& r) {
  if (r.status == 499) return Outcome::cancelled;
  if (r.status >= 400) return r.attempts.empty() ? Outcome::rejected : Outcome::error;
  return Outcome::ok;
}
std::string_view outcome_name(Outcome outcome);

// GET /v1/logs: the records of a window, newest first (created_ms, then id, descending), that
// pass every filter given.
struct LogQuery {
  int64_t start_ms = 0, end_ms = INT64_MAX;  // [start, end)
  // Where the page starts: only records strictly older than (created_ms, id), in that order.
  std::optional<std::pair<int64_t, std::string>> before;
  std::size_t limit = 50;
  // At most this many records are read for one page, so a filter that matches nothing never reads
  // a whole store: the page then ends early, with a cursor where the reading stopped.
  std::size_t scan_budget = 1'000'000;
  std::optional<std::string> team, key_id, user, provider, tag, use_case;
  std::optional<std::string> model;  // the id served, or the one asked for
  std::optional<Outcome> outcome;
  std::optional<int> status;  // an HTTP status the client got
  std::optional<bool> streamed;
  std::optional<int64_t> min_latency_ms;
  std::optional<double> min_cost;  // unpriced records never pass
  std::optional<bool> cache_hit;   // served from the response cache (true) or not (false)
};

// Whether `r` passes `query`'s filters (its window, cursor and team aside).
bool passes_log_filters(const LogQuery& query, const UsageRecord& r);

struct LogPage {
  std::vector<UsageRecord> records;  // newest first, at most `limit`
  // Where the next page starts (LogQuery::before) when there may be more: after a full page, or
  // when the scan budget ran out first. None when the window holds no more matching records.
  std::optional<std::pair<int64_t, std::string>> next;
};

class RecordStore {
 public:
  virtual ~RecordStore() = default;
  // Stores every record, in one transaction; a record already stored (same id) is skipped, so a
  // replayed batch does no harm. Throws StoreError when the store cannot take them.
  virtual void write(std::span<const UsageRecord> records) = 0;
  // The same for records just made, which cannot have been stored yet (the recorder's batches),
  // as the request threads encoded them: a store may keep the bytes, and skip looking for ids.
  virtual void append(const EncodedRecords& records);
  virtual std::optional<UsageRecord> find(const std::string& id) = 0;
  virtual std::vector<ReportRow> report(const ReportQuery& query) = 0;
  // Records with created_ms in [start, end) in time order, at most `limit` (analytics).
  virtual std::vector<UsageRecord> scan(const ScanQuery& query) = 0;
  // The request log's page for `query` (LogQuery). Throws StoreError.
  virtual LogPage recent(const LogQuery& query) = 0;
  // Keeps `response` (replacing one with its id) and drops those created before
  // `expire_before_ms`, the end of their retention. Throws StoreError.
  virtual void put_response(const StoredResponse& response, int64_t expire_before_ms) = 0;
  virtual std::optional<StoredResponse> find_response(const std::string& id) = 0;
  // False when there was none.
  virtual bool delete_response(const std::string& id) = 0;
  // Keys and teams of the admin API: `put_*` inserts or replaces by id (team: by name);
  // `*_changed_since` lists rows with updated_ms >= since_ms, oldest change first, at most
  // `limit`. Throws StoreError. Called from the admin API's blocking pool and the poller thread.
  virtual void put_key(const PolicyRow& row) = 0;
  virtual std::vector<PolicyRow> keys_changed_since(int64_t since_ms, std::size_t limit) = 0;
  virtual void put_team(const PolicyRow& row) = 0;
  virtual std::vector<PolicyRow> teams_changed_since(int64_t since_ms, std::size_t limit) = 0;
  virtual std::string describe() const = 0;
  // Whether other gateways may write to it too (PostgreSQL), so a gateway does not see all
  // records by taking its own.
  virtual bool shared() const { return false; }
};

// Every record of [start, end) (of one team if given), a page at a time in time order: `page` may
// take the records it is given; returning false stops the reading.
void scan_pages(RecordStore& store, ScanQuery query, const std::function<bool(std::vector<UsageRecord>&)>& page);

// "sqlite:PATH" or "postgres://..." / "postgresql://..."; applies pending schema migrations.
std::unique_ptr<RecordStore> open_store(const std::string& url);

}  // namespace switchyard
