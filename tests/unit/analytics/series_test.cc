#include "analytics/series.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <condition_variable>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "analytics/live_rollup.h"

using namespace switchyard;
namespace json = boost::json;

namespace {
constexpr int64_t kMin = 60'000, kHour = 3'600'000, kDay = 24 * kHour;
constexpr int64_t kT0 = 1795478400000;  // 2026-11-24T00:00:00Z

// A request answered by `provider` (none: refused before any upstream was tried).
UsageRecord request(int64_t at, const std::string& model = "m/a", const std::string& provider = "lab-a",
                    int status = 200) {
  UsageRecord r;
  r.created_ms = at;
  r.team = "t";
  r.model_requested = model;
  r.status = status;
  r.input_tokens = 10;
  r.output_tokens = 5;
  r.cost = 0.01;
  r.latency_ms = 100;
  if (!provider.empty()) {
    r.model = model;
    r.provider = provider;
    r.attempts = {{provider, "up", model, status < 400, status, "", at, at + 100}};
  }
  return r;
}

std::vector<int64_t> requests_per_point(const SeriesLine& line) {
  std::vector<int64_t> out;
  out.reserve(line.points.size());
  for (const auto& point : line.points) out.push_back(point.cell.requests);
  return out;
}

std::vector<std::string> keys(const std::vector<SeriesLine>& lines) {
  std::vector<std::string> out;
  out.reserve(lines.size());
  for (const auto& line : lines) out.push_back(line.key);
  return out;
}

int64_t total_requests(const SeriesLine& line) {
  int64_t n = 0;
  for (const auto& point : line.points) n += point.cell.requests;
  return n;
}

// Records in time order whose reading waits until the test opens the store, like a history that
// takes long to read. Only scan() does anything.
class GatedStore final : public RecordStore {
 public:
  GatedStore(std::vector<UsageRecord> records, bool open) : records_(std::move(records)), open_(open) {}
  void open() {
    {
      std::lock_guard lock(mutex_);
      open_ = true;
    }
    opened_.notify_all();
  }
  std::vector<UsageRecord> scan(const ScanQuery& query) override {
    std::unique_lock lock(mutex_);
    opened_.wait(lock, [this] { return open_; });
    std::vector<UsageRecord> out;
    for (const auto& r : records_)
      if (r.created_ms >= query.start_ms && r.created_ms < query.end_ms && (!query.team || r.team == *query.team) &&
          out.size() < query.limit)
        out.push_back(r);
    return out;
  }
  void write(std::span<const UsageRecord>) override {}
  std::optional<UsageRecord> find(const std::string&) override { return std::nullopt; }
  std::vector<ReportRow> report(const ReportQuery&) override { return {}; }
  LogPage recent(const LogQuery&) override { return {}; }
  void put_response(const StoredResponse&, int64_t) override {}
  std::optional<StoredResponse> find_response(const std::string&) override { return std::nullopt; }
  bool delete_response(const std::string&) override { return false; }
  void put_key(const PolicyRow&) override {}
  std::vector<PolicyRow> keys_changed_since(int64_t, std::size_t) override { return {}; }
  void put_team(const PolicyRow&) override {}
  std::vector<PolicyRow> teams_changed_since(int64_t, std::size_t) override { return {}; }
  std::string describe() const override { return "gated"; }

 private:
  std::vector<UsageRecord> records_;
  std::mutex mutex_;
  std::condition_variable opened_;
  bool open_;
};

// The q-quantile as the histogram defines it: the ceil(q * n)-th smallest value.
double exact_quantile(std::vector<int64_t> values, double q) {
  std::sort(values.begin(), values.end());
  auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(values.size())));
  return static_cast<double>(values[std::max<std::size_t>(rank, 1) - 1]);
}

void expect_quantiles_within_an_eighth(const std::vector<int64_t>& values, const char* what) {
  LatencyHistogram histogram;
  for (int64_t v : values) histogram.add(v);
  EXPECT_EQ(histogram.count(), values.size());
  for (double q : {0.01, 0.5, 0.9, 0.95, 0.99, 1.0}) {
    const double truth = exact_quantile(values, q);
    EXPECT_NEAR(*histogram.quantile(q), truth, 0.125 * truth) << what << " q=" << q;
  }
}
}  // namespace

TEST(LatencyHistogram, QuantilesAreWithinAnEighthOfTheTruth) {
  std::vector<int64_t> uniform, log_uniform, bimodal;
  for (int64_t ms = 1; ms <= 10000; ++ms) uniform.push_back(ms);
  std::mt19937_64 draw(7);
  for (int i = 0; i < 20000; ++i) {
    const double u = static_cast<double>(draw() >> 11) / static_cast<double>(uint64_t{1} << 53);
    log_uniform.push_back(std::llround(std::exp(u * std::log(600000.0))));  // 1 ms to 10 minutes
    bimodal.push_back(i % 10 == 0 ? 2500 + i % 700 : 180 + i % 60);         // 90% fast, 10% slow
  }
  expect_quantiles_within_an_eighth(uniform, "uniform");
  expect_quantiles_within_an_eighth(log_uniform, "log-uniform");
  expect_quantiles_within_an_eighth(bimodal, "bimodal");
}

TEST(LatencyHistogram, EmptyEdgesAndMerge) {
  LatencyHistogram h;
  EXPECT_FALSE(h.quantile(0.5));
  h.add(0);
  h.add(1);
  EXPECT_DOUBLE_EQ(*h.quantile(1), 0.9) << "up to 1 ms: the first bucket";
  LatencyHistogram slow;
  slow.add(4 * kHour);  // 4 hours: the open-ended last bucket answers its lower bound
  EXPECT_NEAR(*slow.quantile(0.5), std::pow(1.25, 62), 1e-6 * std::pow(1.25, 62));
  h.merge(slow);
  EXPECT_EQ(h.count(), 3u);
  EXPECT_DOUBLE_EQ(*h.quantile(0.5), 0.9);
  EXPECT_NEAR(*h.quantile(0.99), std::pow(1.25, 62), 1.0);
}

TEST(Series, ErrorClasses) {
  auto class_of = [](int status, bool tried) { return error_class_of(request(kT0, "m", tried ? "p" : "", status)); };
  EXPECT_EQ(class_of(200, true), std::nullopt);
  EXPECT_EQ(class_of(304, false), std::nullopt);
  EXPECT_EQ(class_of(401, false), ErrorClass::rejected);
  EXPECT_EQ(class_of(429, false), ErrorClass::rejected) << "the gateway's own limit";
  EXPECT_EQ(class_of(429, true), ErrorClass::rate_limited);
  EXPECT_EQ(class_of(502, true), ErrorClass::upstream);
  EXPECT_EQ(class_of(400, true), ErrorClass::client);
  EXPECT_EQ(class_of(499, true), ErrorClass::cancelled);
  EXPECT_EQ(class_of(499, false), ErrorClass::cancelled) << "as the request log's outcome";
  EXPECT_EQ(error_class_name(ErrorClass::rate_limited), "rate_limited");
  EXPECT_EQ(grain_named("day"), Grain::day);
  EXPECT_FALSE(grain_named("week"));
}

TEST(Series, ACellCountsErrorsRescuesSpendAndFirstTokens) {
  Series series;
  UsageRecord rescued = request(kT0);
  rescued.attempts.insert(rescued.attempts.begin(), {"lab-b", "up", "m/a", false, 503, "busy", kT0, kT0 + 5});
  rescued.ttft_ms = 40;
  rescued.streamed = true;
  UsageRecord unpriced = request(kT0);
  unpriced.ttft_ms = 30;  // a whole answer's first byte: no first token
  unpriced.cost = std::nullopt;
  UsageRecord refused = request(kT0, "m/a", "", 401);
  refused.cost = std::nullopt;
  refused.input_tokens = refused.output_tokens = 0;
  for (const auto* r : {&rescued, &unpriced, &refused}) series.add(*r);

  const auto lines = series.series({Grain::minute, kT0, kT0 + kMin});
  const SeriesCell& cell = lines[0].points.at(0).cell;
  EXPECT_EQ(cell.requests, 3);
  EXPECT_EQ(cell.errors[static_cast<std::size_t>(ErrorClass::rejected)], 1);
  EXPECT_EQ(cell.rescued, 1);
  EXPECT_EQ(cell.unpriced, 1) << "a refusal without tokens costs nothing";
  EXPECT_DOUBLE_EQ(cell.cost, 0.01);
  EXPECT_EQ(cell.input_tokens, 20);
  EXPECT_EQ(cell.latency.count(), 3u);
  EXPECT_EQ(cell.ttft.count(), 1u) << "only the streamed answer's first token";
}

TEST(Series, CacheHitsAreCountedAndHaveTheResponseCacheAsTheirProvider) {
  Series series;
  UsageRecord hit = request(kT0, "m/a", "");  // no upstream answered it
  hit.cache_hit = true;
  hit.cost = 0;
  hit.saved_cost = 0.01;
  UsageRecord left = hit;  // a client that left while the kept answer was sent: no hit served
  left.status = 499;
  series.add(hit);
  series.add(left);
  series.add(request(kT0));
  const auto lines = series.series({Grain::minute, kT0, kT0 + kMin, "provider"});
  EXPECT_EQ(keys(lines), (std::vector<std::string>{"total", std::string(Series::kFromCache), "lab-a"}));
  EXPECT_EQ(lines[0].points.at(0).cell.cache_hits, 1);
  EXPECT_EQ(lines[1].points.at(0).cell.requests, 2);
  EXPECT_EQ(lines[1].points.at(0).cell.cache_hits, 1);
  EXPECT_EQ(lines[2].points.at(0).cell.cache_hits, 0);
  EXPECT_EQ(series.series({Grain::day, kT0, kT0 + kDay})[0].points.at(0).cell.cache_hits, 1) << "a day sums its hours";
  const SeriesQuery query{Grain::minute, kT0, kT0 + kMin};
  EXPECT_EQ(
      json::parse(series_json(query, series.series(query))).at("series").at(0).at("points").at(0).at("cache_hits"), 1);
}

TEST(Series, MinuteCellsAreForgottenOnceADayOfNewerRecordsCame) {
  Series series;
  auto requests_in = [&](Grain grain, int64_t at) {
    return series.series({grain, at, at + grain_ms(grain)})[0].points.at(0).cell.requests;
  };
  series.add(request(kT0 + kDay));
  series.add(request(kT0 + kMin));  // late, but within a day of the newest: it has its minute
  EXPECT_EQ(requests_in(Grain::minute, kT0 + kMin), 1);
  EXPECT_EQ(series.cell_count(), 2u + 2u);

  series.add(request(kT0 + kDay + 30 * kMin));
  EXPECT_EQ(requests_in(Grain::minute, kT0 + kMin), 0) << "more than a day before the newest";
  EXPECT_EQ(series.cell_count(), 3u + 2u) << "forgotten later, not on every record";

  series.add(request(kT0 + kDay + kHour));
  EXPECT_EQ(series.cell_count(), 3u + 3u);
  series.add(request(kT0 + 2 * kMin));  // too late for a minute: its hour only
  EXPECT_EQ(series.cell_count(), 3u + 3u);
  EXPECT_EQ(requests_in(Grain::minute, kT0 + 2 * kMin), 0);
  EXPECT_EQ(requests_in(Grain::hour, kT0), 2) << "hours are kept for all history";
  EXPECT_EQ(requests_in(Grain::minute, kT0 + kDay + kHour), 1);
}

TEST(Series, HoursAndDaysSumTheRecords) {
  Series series;
  std::map<int64_t, int64_t> per_hour, per_day;
  double cost = 0;
  const int n = 3000;
  for (int i = 0; i < n; ++i) {  // over 3 days, out of order, 3 models
    UsageRecord r = request(kT0 + (int64_t{i} * 7919 * 1009) % (3 * kDay), "m/" + std::to_string(i % 3));
    r.cost = 0.001 * (i % 7);
    cost += *r.cost;
    ++per_hour[(r.created_ms - kT0) / kHour];
    ++per_day[(r.created_ms - kT0) / kDay];
    series.add(r);
  }
  auto hours = series.series({Grain::hour, kT0, kT0 + 3 * kDay, "model"});
  ASSERT_EQ(hours[0].points.size(), 72u);
  for (int64_t h = 0; h < 72; ++h) EXPECT_EQ(hours[0].points[h].cell.requests, per_hour[h]) << "hour " << h;
  EXPECT_EQ(keys(hours), (std::vector<std::string>{"total", "m/0", "m/1", "m/2"}));
  int64_t grouped = 0;
  for (std::size_t i = 1; i < hours.size(); ++i) grouped += total_requests(hours[i]);
  EXPECT_EQ(grouped, n);

  auto days = series.series({Grain::day, kT0, kT0 + 3 * kDay});
  ASSERT_EQ(days[0].points.size(), 3u);
  double day_cost = 0;
  for (int64_t d = 0; d < 3; ++d) {
    const SeriesCell& cell = days[0].points[d].cell;
    EXPECT_EQ(days[0].points[d].start_ms, kT0 + d * kDay);
    EXPECT_EQ(cell.requests, per_day[d]);
    EXPECT_EQ(cell.input_tokens, 10 * per_day[d]);
    EXPECT_EQ(cell.latency.count(), static_cast<uint64_t>(per_day[d]));
    day_cost += cell.cost;
  }
  EXPECT_NEAR(day_cost, cost, 1e-9);
}

TEST(Series, TopGroupsThenTheRestAsOther) {
  Series series;
  auto add = [&](const char* model, const char* provider, int n) {
    for (int i = 0; i < n; ++i) series.add(request(kT0, model, provider));
  };
  add("m/a", "lab-a", 5);
  add("m/b", "lab-a", 3);
  add("m/c", "lab-a", 2);
  add("m/d", "lab-b", 1);
  auto by_model = series.series({Grain::hour, kT0, kT0 + kHour, "model", 2});
  EXPECT_EQ(keys(by_model), (std::vector<std::string>{"total", "m/a", "m/b", "(other)"}));
  EXPECT_EQ(total_requests(by_model[0]), 11);
  EXPECT_EQ(total_requests(by_model[3]), 3);
  EXPECT_EQ(keys(series.series({Grain::hour, kT0, kT0 + kHour, "model", 10})),
            (std::vector<std::string>{"total", "m/a", "m/b", "m/c", "m/d"}))
      << "no (other) when every group is shown";
  auto by_provider = series.series({Grain::hour, kT0, kT0 + kHour, "provider", 1});
  EXPECT_EQ(keys(by_provider), (std::vector<std::string>{"total", "lab-a", "(other)"}));
  EXPECT_EQ(total_requests(by_provider[2]), 1);
  EXPECT_EQ(keys(series.series({Grain::hour, kT0, kT0 + kHour})), std::vector<std::string>{"total"});
}

TEST(Series, EveryBucketOfTheWidenedWindowIsAPoint) {
  Series series;
  series.add(request(kT0));
  series.add(request(kT0 + 3 * kHour));
  auto hours = series.series({Grain::hour, kT0 + 30 * kMin, kT0 + 4 * kHour + 10 * kMin});
  EXPECT_EQ(requests_per_point(hours[0]), (std::vector<int64_t>{1, 0, 0, 1, 0}));
  EXPECT_EQ(hours[0].points.front().start_ms, kT0);
  EXPECT_EQ(requests_per_point(series.series({Grain::day, kT0, kT0 + 2 * kDay})[0]), (std::vector<int64_t>{2, 0}));

  auto minutes = series.series({Grain::minute, kT0 - 10 * kDay, kT0 + kMin});
  ASSERT_EQ(minutes[0].points.size(), static_cast<std::size_t>(Series::kMaxPoints)) << "the start moves up";
  EXPECT_EQ(minutes[0].points.back().start_ms, kT0);
  EXPECT_TRUE(series.series({Grain::hour, kT0 + kHour, kT0})[0].points.empty());
}

TEST(Series, PastTheCellBoundNewModelsCountAsOther) {
  Series series(4);  // as if kMaxCells were 4
  for (int i = 0; i < 10; ++i) series.add(request(kT0, "m/" + std::to_string(i)));
  series.add(request(kT0, "m/2"));  // a model with a cell keeps it
  EXPECT_EQ(series.cell_count(), 5u + 5u);
  auto lines = series.series({Grain::hour, kT0, kT0 + kHour, "model"});
  EXPECT_EQ(keys(lines), (std::vector<std::string>{"total", "m/2", "m/0", "m/1", "m/3", "(other)"}));
  EXPECT_EQ(total_requests(lines[0]), 11);
  EXPECT_EQ(total_requests(lines[5]), 6);
  series.add(request(kT0, "m/new", "lab-b"));  // one (other) cell per provider and bucket past the bound
  EXPECT_EQ(series.cell_count(), 6u + 6u);
}

TEST(Series, JsonShape) {
  Series series;
  UsageRecord answered = request(kT0 + kMin);
  answered.latency_ms = 300;
  answered.ttft_ms = 120;
  answered.streamed = true;
  UsageRecord refused = request(kT0 + kMin, "m/a", "", 401);
  refused.latency_ms = 2;
  series.add(answered);
  series.add(refused);
  SeriesQuery query{Grain::minute, kT0, kT0 + 3 * kMin, "provider"};
  json::value out = json::parse(series_json(query, series.series(query)));

  EXPECT_EQ(out.at("grain"), "minute");
  EXPECT_EQ(out.at("start"), "2026-11-24T00:00:00Z");
  EXPECT_EQ(out.at("end"), "2026-11-24T00:03:00Z");
  EXPECT_EQ(out.at("group_by"), "provider");
  const json::array& lines = out.at("series").as_array();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].at("key"), "total");
  EXPECT_EQ(lines[1].at("key").as_string(), Series::kNoUpstream);
  EXPECT_EQ(lines[2].at("key"), "lab-a");

  const json::array& points = lines[0].at("points").as_array();
  ASSERT_EQ(points.size(), 3u);
  const json::value& quiet = points[0];
  EXPECT_EQ(quiet.at("t"), "2026-11-24T00:00:00Z");
  EXPECT_EQ(quiet.at("requests"), 0);
  EXPECT_EQ(quiet.at("error_rate").to_number<double>(), 0);
  EXPECT_TRUE(quiet.at("latency_ms").at("p50").is_null());
  EXPECT_TRUE(quiet.at("latency_ms").at("p99").is_null());
  EXPECT_TRUE(quiet.at("ttft_ms").at("p50").is_null());

  const json::value& busy = points[1];
  EXPECT_EQ(busy.at("t"), "2026-11-24T00:01:00Z");
  EXPECT_EQ(busy.at("requests"), 2);
  EXPECT_EQ(busy.at("errors"), json::parse(R"({"rejected":1,"rate_limited":0,"upstream":0,"client":0,"cancelled":0})"));
  EXPECT_DOUBLE_EQ(busy.at("error_rate").to_number<double>(), 0.5);
  EXPECT_EQ(busy.at("rescued"), 0);
  EXPECT_DOUBLE_EQ(busy.at("rescue_rate").to_number<double>(), 0);
  EXPECT_EQ(busy.at("input_tokens"), 20);
  EXPECT_EQ(busy.at("output_tokens"), 10);
  EXPECT_DOUBLE_EQ(busy.at("cost").to_number<double>(), 0.02);
  EXPECT_EQ(busy.at("unpriced"), 0);
  EXPECT_EQ(busy.at("cache_hits"), 0);
  EXPECT_EQ(busy.at("latency_ms").at("p50"), 2);
  EXPECT_NEAR(busy.at("latency_ms").at("p95").to_number<double>(), 300, 300 / 8.0);
  EXPECT_NEAR(busy.at("latency_ms").at("p99").to_number<double>(), 300, 300 / 8.0);
  EXPECT_NEAR(busy.at("ttft_ms").at("p50").to_number<double>(), 120, 120 / 8.0);
  EXPECT_NEAR(busy.at("ttft_ms").at("p99").to_number<double>(), 120, 120 / 8.0);
  EXPECT_TRUE(json::parse(series_json(SeriesQuery{}, {})).at("group_by").is_null());
}

TEST(Series, OfOneTeamInAStore) {
  std::vector<UsageRecord> records;
  for (int i = 0; i < 9; ++i) {
    records.push_back(request(kT0 + i * kMin));
    records.back().team = i % 3 ? "a" : "b";
  }
  GatedStore store(records, true);
  Series series = series_of_store(store, ScanQuery{kT0, kT0 + kDay, 2, std::string("a")});  // pages of 2
  EXPECT_EQ(requests_per_point(series.series({Grain::minute, kT0, kT0 + 9 * kMin})[0]),
            (std::vector<int64_t>{0, 1, 1, 0, 1, 1, 0, 1, 1}));
}

TEST(LiveRollupSeries, NothingUntilTheHistoryIsReadThenHistoryAndNewRecords) {
  GatedStore store({request(kT0), request(kT0 + kHour)}, false);
  LiveRollup live(store, kT0 + 2 * kHour);
  const SeriesQuery query{Grain::hour, kT0, kT0 + 3 * kHour};
  EXPECT_FALSE(live.series(query));

  RecordView taken;  // a batch of the recorder's while the history is read
  taken.created_ms = kT0 + 2 * kHour;
  taken.model = "m/a";
  taken.provider = "lab-a";
  taken.status = 200;
  live.add(std::span<const RecordView>(&taken, 1));
  EXPECT_FALSE(live.series(query));

  store.open();
  for (int i = 0; i < 1000 && !live.loaded(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  auto lines = live.series(query);
  ASSERT_TRUE(lines);
  EXPECT_EQ(requests_per_point(lines->at(0)), (std::vector<int64_t>{1, 1, 1}));
}
