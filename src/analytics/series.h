#pragma once
// Traffic over time, for charts and GET /v1/timeseries: cells per (time bucket, model, provider)
// holding counts, errors by class, tokens, spend and latency histograms. Minute cells are kept
// for the kMinuteWindowMs before the newest record added (older ones are dropped as records come
// in); hour cells for all history; a day is the sum of its hours. Names are interned (Names, so
// bounded); past kMaxCells cells of a grain, new (model, provider) pairs are counted under
// model Names::kOther so the memory stays bounded whatever clients send.
#include <array>
#include <boost/unordered/unordered_flat_map.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analytics/rollup.h"
#include "storage/usage_record.h"

namespace switchyard {

// Milliseconds in log-spaced buckets, 256 bytes a histogram: bucket 0 holds up to 1 ms, bucket i
// up to 1.25^i ms (above the bound of bucket i - 1), and the last one everything above 1.25^62 ms
// (about 17 minutes). Counts saturate rather than wrap.
class LatencyHistogram {
 public:
  static constexpr std::size_t kBuckets = 64;
  void add(int64_t ms);
  void merge(const LatencyHistogram& other);
  uint64_t count() const;
  // The q-quantile (0 < q <= 1), ms: the ceil(q * count)-th smallest value's bucket, answered as
  // the middle of its bounds (0.9 times its upper bound), so within 12.5% of the truth; the last
  // bucket answers its lower bound. None when empty.
  std::optional<double> quantile(double q) const;

 private:
  std::array<uint32_t, kBuckets> counts_{};
};

// Why a request failed, as the charts split errors: `rejected` (refused before any upstream was
// tried), `rate_limited` (429 after trying), `upstream` (5xx), `client` (any other 4xx),
// `cancelled` (the client left, 499).
enum class ErrorClass : uint8_t { rejected, rate_limited, upstream, client, cancelled, kCount };
std::string_view error_class_name(ErrorClass c);
// None for a request answered below 400. A 499 is `cancelled` even when no upstream was tried, as
// the request log's outcome says (outcome_of); any other status of 400 and more without an attempt
// is `rejected`.
template <class Record>  // UsageRecord or RecordView
std::optional<ErrorClass> error_class_of(const Record& r);

struct SeriesCell {
  int64_t requests = 0;
  std::array<int64_t, static_cast<std::size_t>(ErrorClass::kCount)> errors{};
  int64_t rescued = 0;     // answered after an earlier attempt failed
  int64_t cache_hits = 0;  // answered from the response cache
  int64_t input_tokens = 0, output_tokens = 0;
  double cost = 0;       // of priced requests
  int64_t unpriced = 0;  // requests with tokens but no price: spend is incomplete
  LatencyHistogram latency, ttft;
  void add(const SeriesCell& other);
};

enum class Grain { minute, hour, day };
std::optional<Grain> grain_named(std::string_view name);  // "minute" | "hour" | "day"
int64_t grain_ms(Grain grain);

struct SeriesQuery {
  Grain grain = Grain::hour;
  int64_t start_ms = 0, end_ms = 0;  // [start, end), aligned down/up to the grain by series()
  std::string group_by;              // "" (the total only), "provider" or "model"
  std::size_t top = 10;              // groups kept by requests; the rest summed as "(other)"
};

struct SeriesPoint {
  int64_t start_ms = 0;  // the bucket's start
  SeriesCell cell;
};

struct SeriesLine {
  std::string key;                  // "total", a provider or a model id, or "(other)"
  std::vector<SeriesPoint> points;  // one per bucket of the window, empty buckets included
};

// A record's model is the id that served it, else the one asked for, else kNoModel; its provider
// the one that served it, else kFromCache for a response cache hit, else kNoUpstream (no upstream
// was tried: rejected, or cancelled first).
class Series {
 public:
  static constexpr int64_t kMinuteWindowMs = int64_t{24} * 3600 * 1000;
  // Per grain: a cell is ~600 bytes (two histograms), so at most ~120 MB a grain. A year of hours
  // of 20 (model, provider) pairs is 175k cells.
  static constexpr std::size_t kMaxCells = 200'000;
  static constexpr int64_t kMaxPoints = 5000;  // per line in one answer
  static constexpr std::string_view kNoModel = "(none)", kNoUpstream = "(no upstream)", kFromCache = "(response cache)";

  // `max_cells` is kMaxCells but in tests of the bound. A grain may pass it by a cell per bucket
  // and provider: those of model Names::kOther.
  explicit Series(std::size_t max_cells = kMaxCells);

  template <class Record>  // UsageRecord or RecordView, in any order
  void add(const Record& record);
  // The total line first, then (group_by) one line per group, most requests first (then by
  // name), at most `top` of them, then "(other)" summing the rest when they had requests (model
  // Names::kOther is always part of the rest). The window is widened to whole buckets, then its
  // start moved up so that it has at most kMaxPoints buckets; minute grain answers for minutes
  // still kept only (older: empty). Reads every cell of the grain once or twice.
  std::vector<SeriesLine> series(const SeriesQuery& query) const;
  std::size_t cell_count() const;  // both grains

 private:
  struct Key {
    int64_t bucket = 0;  // the bucket's start, Unix ms
    uint32_t model = 0, provider = 0;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const;
  };
  using Cells = boost::unordered_flat_map<Key, SeriesCell, KeyHash>;
  // The cell of `key` in `cells`, or of the same bucket and provider with model kOther when
  // `cells` is full and holds no cell of `key`.
  SeriesCell& cell(Cells& cells, Key key);
  int64_t minutes_kept_from() const;  // the first minute that overlaps the last kMinuteWindowMs
  void forget_old_minutes();

  std::size_t max_cells_;
  Names names_;
  uint32_t other_ = 0;                                        // names_'s id of Names::kOther
  std::array<uint32_t, 2> last_ids_{UINT32_MAX, UINT32_MAX};  // model, provider (Names::id)
  Cells minutes_, hours_;
  int64_t newest_ms_ = 0;
  // Old minutes are forgotten once the newest record passes this, an hour after the last time:
  // each minute cell is looked at some 25 times in all, not once a record.
  int64_t forget_at_ms_ = 0;
};

// The Series of every record `query` selects (one team's window for a team key), read page by
// page (its limit is the page size). Minute cells are those of the last day of the records read.
Series series_of_store(RecordStore& store, const ScanQuery& query);

// The JSON of GET /v1/timeseries (docs/observability.md): grain, window, and each line's points
// with requests, errors by class, error_rate, tokens, cost, unpriced, latency_ms {p50, p95, p99},
// ttft_ms {p50, p99} (null when no request), rescue_rate, cache_hits. "start" and "end" are the window as
// series() widens it, "group_by" null for the total only; quantiles in whole ms, rates rounded to
// 4 decimals.
std::string series_json(const SeriesQuery& query, const std::vector<SeriesLine>& lines);

}  // namespace switchyard
