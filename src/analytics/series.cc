#include "analytics/series.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/container_hash/hash.hpp>
#include <boost/json.hpp>
#include <cmath>
#include <numeric>

#include "core/calendar.h"
#include "storage/record_store.h"
#include "translate/json_parse.h"

namespace switchyard {
namespace json = boost::json;
namespace {

constexpr int64_t kMinuteMs = 60'000, kHourMs = 3'600'000;

// Bucket i's upper bound, ms: 1.25^i. The last bucket has none.
constexpr std::array<double, LatencyHistogram::kBuckets - 1> kBounds = [] {
  std::array<double, LatencyHistogram::kBuckets - 1> bounds{};
  double bound = 1;
  for (double& b : bounds) {
    b = bound;
    bound *= 1.25;
  }
  return bounds;
}();

constexpr std::array<std::pair<std::string_view, Grain>, 3> kGrains{
    {{"minute", Grain::minute}, {"hour", Grain::hour}, {"day", Grain::day}}};

std::string_view grain_name(Grain grain) { return kGrains[static_cast<std::size_t>(grain)].first; }

// The start of the bucket of `step` ms that holds `ms`, before 1970 too.
int64_t floor_to(int64_t ms, int64_t step) {
  const int64_t rest = ms % step;
  return rest < 0 ? ms - rest - step : ms - rest;
}

std::string_view or_else(std::string_view name, std::string_view otherwise) { return name.empty() ? otherwise : name; }

// What one record adds to a cell, worked out once for both grains.
struct Sample {
  std::optional<ErrorClass> error;
  bool rescued = false, unpriced = false, cache_hit = false;
  int64_t input_tokens = 0, output_tokens = 0, latency_ms = 0;
  std::optional<int64_t> ttft_ms;
  double cost = 0;
};

template <class Record>
Sample sample_of(const Record& r) {
  Sample s;
  s.error = error_class_of(r);
  s.rescued = !s.error && std::any_of(r.attempts.begin(), r.attempts.end(), [](const auto& a) { return !a.success; });
  s.unpriced = !r.cost && r.input_tokens + r.output_tokens > 0;
  s.cache_hit = !s.error && r.cache_hit;
  s.input_tokens = r.input_tokens;
  s.output_tokens = r.output_tokens;
  s.latency_ms = r.latency_ms;
  if (r.streamed) s.ttft_ms = r.ttft_ms;  // a whole answer's first byte is no first token
  s.cost = r.cost.value_or(0);
  return s;
}

void count(SeriesCell& cell, const Sample& s) {
  ++cell.requests;
  if (s.error) ++cell.errors[static_cast<std::size_t>(*s.error)];
  cell.rescued += s.rescued ? 1 : 0;
  cell.unpriced += s.unpriced ? 1 : 0;
  cell.cache_hits += s.cache_hit ? 1 : 0;
  cell.input_tokens += s.input_tokens;
  cell.output_tokens += s.output_tokens;
  cell.cost += s.cost;
  cell.latency.add(s.latency_ms);
  if (s.ttft_ms) cell.ttft.add(*s.ttft_ms);
}

// The buckets a query answers for: [start, end) in steps of its grain.
struct Window {
  int64_t start = 0, end = 0, step = 0;
};

Window window_of(const SeriesQuery& query) {
  constexpr int64_t kFar = INT64_MAX / 4;  // so that rounding to a bucket cannot overflow
  Window w;
  w.step = grain_ms(query.grain);
  w.end = floor_to(std::clamp(query.end_ms, -kFar, kFar) + w.step - 1, w.step);
  w.start =
      std::clamp(floor_to(std::clamp(query.start_ms, -kFar, kFar), w.step), w.end - Series::kMaxPoints * w.step, w.end);
  return w;
}

SeriesLine empty_line(std::string_view key, const Window& w) {
  SeriesLine line{std::string(key), {}};
  line.points.reserve(static_cast<std::size_t>((w.end - w.start) / w.step));
  for (int64_t t = w.start; t < w.end; t += w.step) line.points.push_back(SeriesPoint{t, {}});
  return line;
}

using GroupRequests = boost::unordered_flat_map<uint32_t, int64_t>;

// The ids of the `top` groups with most requests (then by name). Names::kOther is never one: it
// belongs to the rest, which has that name.
std::vector<uint32_t> top_groups(const GroupRequests& requests, std::size_t top, const Names& names, uint32_t other) {
  std::vector<std::pair<int64_t, uint32_t>> ranked;
  for (const auto& [id, n] : requests)
    if (id != other) ranked.emplace_back(n, id);
  const std::size_t kept = std::min(top, ranked.size());
  std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(kept), ranked.end(),
                    [&](const auto& a, const auto& b) {
                      return a.first != b.first ? a.first > b.first : names.name(a.second) < names.name(b.second);
                    });
  std::vector<uint32_t> ids;
  for (std::size_t i = 0; i < kept; ++i) ids.push_back(ranked[i].second);
  return ids;
}

// A share rounded to 4 decimals, as charts show it; 0 of nothing.
double rate(int64_t part, int64_t whole) {
  return whole ? std::round(1e4 * static_cast<double>(part) / static_cast<double>(whole)) / 1e4 : 0;
}

// A quantile in whole ms, null when the histogram is empty.
json::value quantile_json(const LatencyHistogram& histogram, double q) {
  auto ms = histogram.quantile(q);
  return ms ? json::value(std::llround(*ms)) : json::value(nullptr);
}

json::object point_json(const SeriesPoint& point) {
  const SeriesCell& c = point.cell;
  json::object errors;
  for (std::size_t i = 0; i < c.errors.size(); ++i) errors[error_class_name(static_cast<ErrorClass>(i))] = c.errors[i];
  const int64_t failed = std::accumulate(c.errors.begin(), c.errors.end(), int64_t{0});
  return json::object{
      {"t", iso_time_of(point.start_ms)},
      {"requests", c.requests},
      {"errors", std::move(errors)},
      {"error_rate", rate(failed, c.requests)},
      {"rescued", c.rescued},
      {"rescue_rate", rate(c.rescued, c.requests)},
      {"input_tokens", c.input_tokens},
      {"output_tokens", c.output_tokens},
      {"cost", c.cost},
      {"unpriced", c.unpriced},
      {"cache_hits", c.cache_hits},
      {"latency_ms", json::object{{"p50", quantile_json(c.latency, 0.5)},
                                  {"p95", quantile_json(c.latency, 0.95)},
                                  {"p99", quantile_json(c.latency, 0.99)}}},
      {"ttft_ms", json::object{{"p50", quantile_json(c.ttft, 0.5)}, {"p99", quantile_json(c.ttft, 0.99)}}}};
}

}  // namespace

void LatencyHistogram::add(int64_t ms) {
  const auto bucket = std::lower_bound(kBounds.begin(), kBounds.end(), static_cast<double>(ms)) - kBounds.begin();
  uint32_t& n = counts_[static_cast<std::size_t>(bucket)];
  if (n != UINT32_MAX) ++n;
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  for (std::size_t i = 0; i < kBuckets; ++i)
    counts_[i] = static_cast<uint32_t>(std::min<uint64_t>(uint64_t{counts_[i]} + other.counts_[i], UINT32_MAX));
}

uint64_t LatencyHistogram::count() const { return std::accumulate(counts_.begin(), counts_.end(), uint64_t{0}); }

std::optional<double> LatencyHistogram::quantile(double q) const {
  const uint64_t total = count();
  if (!total) return std::nullopt;
  const auto rank = std::clamp<uint64_t>(static_cast<uint64_t>(std::ceil(q * static_cast<double>(total))), 1, total);
  std::size_t bucket = 0;
  for (uint64_t seen = counts_[0]; seen < rank;) seen += counts_[++bucket];
  return bucket < kBounds.size() ? 0.9 * kBounds[bucket] : kBounds.back();
}

std::string_view error_class_name(ErrorClass c) {
  switch (c) {
    case ErrorClass::rejected: return "rejected";
    case ErrorClass::rate_limited: return "rate_limited";
    case ErrorClass::upstream: return "upstream";
    case ErrorClass::client: return "client";
    case ErrorClass::cancelled: return "cancelled";
    case ErrorClass::kCount: break;
  }
  return "unknown";
}

template <class Record>
std::optional<ErrorClass> error_class_of(const Record& r) {
  switch (outcome_of(r)) {  // the request log's classes, with errors split further
    case Outcome::ok: return std::nullopt;
    case Outcome::cancelled: return ErrorClass::cancelled;
    case Outcome::rejected: return ErrorClass::rejected;
    case Outcome::error: break;
  }
  if (r.status == 429) return ErrorClass::rate_limited;
  return r.status >= 500 ? ErrorClass::upstream : ErrorClass::client;
}

template std::optional<ErrorClass> error_class_of(const UsageRecord&);
template std::optional<ErrorClass> error_class_of(const RecordView&);

void SeriesCell::add(const SeriesCell& other) {
  requests += other.requests;
  for (std::size_t i = 0; i < errors.size(); ++i) errors[i] += other.errors[i];
  rescued += other.rescued;
  cache_hits += other.cache_hits;
  input_tokens += other.input_tokens;
  output_tokens += other.output_tokens;
  cost += other.cost;
  unpriced += other.unpriced;
  latency.merge(other.latency);
  ttft.merge(other.ttft);
}

std::optional<Grain> grain_named(std::string_view name) {
  for (const auto& [known, grain] : kGrains)
    if (known == name) return grain;
  return std::nullopt;
}

int64_t grain_ms(Grain grain) {
  switch (grain) {
    case Grain::minute: return kMinuteMs;
    case Grain::hour: return kHourMs;
    case Grain::day: return kDayMs;
  }
  return kHourMs;
}

std::size_t Series::KeyHash::operator()(const Key& k) const {
  std::size_t seed = 0;
  boost::hash_combine(seed, k.bucket);
  boost::hash_combine(seed, uint64_t{k.model} << 32 | k.provider);
  return seed;
}

Series::Series(std::size_t max_cells) : max_cells_(max_cells), other_(names_.id(Names::kOther)) {}

SeriesCell& Series::cell(Cells& cells, Key key) {
  if (cells.size() >= max_cells_ && !cells.contains(key)) key.model = other_;
  return cells[key];
}

int64_t Series::minutes_kept_from() const { return floor_to(newest_ms_ - kMinuteWindowMs, kMinuteMs); }

void Series::forget_old_minutes() {
  const int64_t kept_from = minutes_kept_from();
  boost::unordered::erase_if(minutes_, [&](const auto& entry) { return entry.first.bucket < kept_from; });
  forget_at_ms_ = newest_ms_ + kHourMs;
}

template <class Record>
void Series::add(const Record& r) {
  Key key;
  key.model = names_.id(or_else(or_else(r.model, r.model_requested), kNoModel), last_ids_[0]);
  key.provider = names_.id(or_else(r.provider, r.cache_hit ? kFromCache : kNoUpstream), last_ids_[1]);
  const Sample sample = sample_of(r);
  key.bucket = floor_to(r.created_ms, kHourMs);
  count(cell(hours_, key), sample);
  newest_ms_ = std::max(newest_ms_, r.created_ms);
  key.bucket = floor_to(r.created_ms, kMinuteMs);
  if (key.bucket >= minutes_kept_from()) count(cell(minutes_, key), sample);
  if (newest_ms_ >= forget_at_ms_) forget_old_minutes();
}

template void Series::add(const UsageRecord&);
template void Series::add(const RecordView&);

std::size_t Series::cell_count() const { return minutes_.size() + hours_.size(); }

std::vector<SeriesLine> Series::series(const SeriesQuery& query) const {
  const Window w = window_of(query);
  const bool minutes = query.grain == Grain::minute;
  const Cells& cells = minutes ? minutes_ : hours_;
  const int64_t kept_from = minutes ? minutes_kept_from() : INT64_MIN;  // minutes not yet forgotten may be older
  auto point_of = [&](const Key& key) -> std::optional<std::size_t> {
    const int64_t start = floor_to(key.bucket, w.step);  // a day sums its hours
    if (key.bucket < kept_from || start < w.start || start >= w.end) return std::nullopt;
    return static_cast<std::size_t>((start - w.start) / w.step);
  };
  const bool by_provider = query.group_by == "provider";
  const bool grouped = by_provider || query.group_by == "model";
  auto group_of = [&](const Key& key) { return by_provider ? key.provider : key.model; };

  std::vector<SeriesLine> lines{empty_line("total", w)};
  GroupRequests requests;  // over the window, by group
  for (const auto& [key, cell] : cells)
    if (auto point = point_of(key)) {
      lines[0].points[*point].cell.add(cell);
      if (grouped) requests[group_of(key)] += cell.requests;
    }
  if (!grouped) return lines;

  const std::vector<uint32_t> top = top_groups(requests, query.top, names_, other_);
  boost::unordered_flat_map<uint32_t, std::size_t> line_of;
  for (uint32_t id : top) {
    line_of[id] = lines.size();
    lines.push_back(empty_line(names_.name(id), w));
  }
  // Every cell holds a request, so a group left out had some: the rest is a line of its own.
  if (requests.size() > top.size()) lines.push_back(empty_line(Names::kOther, w));
  for (const auto& [key, cell] : cells)
    if (auto point = point_of(key)) {
      auto line = line_of.find(group_of(key));
      lines[line == line_of.end() ? lines.size() - 1 : line->second].points[*point].cell.add(cell);
    }
  return lines;
}

std::string series_json(const SeriesQuery& query, const std::vector<SeriesLine>& lines) {
  const Window w = window_of(query);
  json::array series;
  for (const auto& line : lines) {
    json::array points;
    for (const auto& point : line.points) points.push_back(point_json(point));
    series.push_back(json::object{{"key", line.key}, {"points", std::move(points)}});
  }
  json::object out{{"grain", grain_name(query.grain)},
                   {"start", iso_time_of(w.start)},
                   {"end", iso_time_of(w.end)},
                   {"group_by", query.group_by.empty() ? json::value(nullptr) : json::value(query.group_by)},
                   {"series", std::move(series)}};
  return serialize_json(out);
}

Series series_of_store(RecordStore& store, const ScanQuery& query) {
  Series series;
  scan_pages(store, query, [&](std::vector<UsageRecord>& page) {
    for (const auto& record : page) series.add(record);
    return true;
  });
  return series;
}

}  // namespace switchyard
