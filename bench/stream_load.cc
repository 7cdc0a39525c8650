// Opens many concurrent streaming chat requests and reports, per target: time to first byte,
// the gaps between SSE frames (a frame is one event, ended by a blank line, stamped when the read
// that completes it returns), frames later than --late-ms after their predecessor (the first
// frame's predecessor is the request), the streams that had any, and completed/failed streams.
// With --baseline-port, every stream to the target is paired with one straight to the baseline
// (the upstream itself), started together, so both see the same machine noise; "added" is target
// minus baseline, percentile by percentile.
// With --duration-s, each pair runs streams back to back on its keep-alive connections until the
// duration ends (a closed loop of --streams concurrent pairs); without, each pair runs one stream.
// With --idle N, it instead opens N idle connections to the target and reports the RSS of
// --rss-pid per connection: after connecting only, then after one GET /healthz on each.
// Used by bench/streams.sh.
//   stream_load --port 8080 --model sim/x --baseline-port 8081 --baseline-path /openai/v1/chat/completions
//               --baseline-model x --streams 5000 --ramp-ms 3000 [--duration-s 10] [--late-ms 200]
//   stream_load --port 8080 --idle 5000 --rss-pid 1234
#include <fmt/format.h>
#include <sys/resource.h>
#include <CLI/CLI.hpp>
#include <algorithm>
#include <bit>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "server/asio.h"

namespace sy = switchyard;
using namespace boost::asio::experimental::awaitable_operators;

using clock_type = std::chrono::steady_clock;

double micros(clock_type::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

// Counts of microsecond values in a fixed 1.8 MB: exact below 32,768 us; above, each bucket is
// 1/16,384 of its value wide (64 us at one second). Values are capped at 2^40 us.
class Histogram {
 public:
  void record(double us) {
    auto v = std::min<uint64_t>(static_cast<uint64_t>(std::max(0.0, us)), kCap - 1);
    ++counts_[index(v)];
    ++count_;
    max_ = std::max(max_, us);
  }
  uint64_t count() const { return count_; }
  double max() const { return max_; }
  // The value at fraction p (0..1) of the sorted values, as its bucket's midpoint; 0 when empty.
  double percentile(double p) const {
    if (count_ == 0) return 0;
    auto rank = std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(p * static_cast<double>(count_))));
    uint64_t seen = 0;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
      seen += counts_[i];
      if (seen >= rank) return std::min(midpoint(i), max_);
    }
    return max_;
  }

 private:
  static constexpr int kBits = 15;
  static constexpr uint64_t kCap = uint64_t{1} << 40;
  static std::size_t index(uint64_t v) {
    int shift = std::max(0, static_cast<int>(std::bit_width(v)) - kBits);
    return (static_cast<std::size_t>(shift) << (kBits - 1)) + (v >> shift);
  }
  static double midpoint(std::size_t i) {
    if (i < (std::size_t{1} << kBits)) return static_cast<double>(i);
    int shift = static_cast<int>(i >> (kBits - 1)) - 1;
    uint64_t mantissa = i - (static_cast<std::size_t>(shift) << (kBits - 1));
    return static_cast<double>(mantissa << shift) + static_cast<double>((uint64_t{1} << shift) - 1) / 2;
  }
  std::vector<uint32_t> counts_ = std::vector<uint32_t>(index(kCap - 1) + 1);
  uint64_t count_ = 0;
  double max_ = 0;
};

struct Result {
  Histogram ttfb_us;
  Histogram gap_us;  // between consecutive frames of a stream
  uint64_t frames = 0;
  uint64_t late_frames = 0;
  int completed = 0;
  int failed = 0;
  int late_streams = 0;  // completed or not, with at least one late frame
  std::string first_error;
};

struct Target {
  sy::tcp::endpoint endpoint;
  std::string path;
  std::string body;
  Result result;
};

// Finds SSE frame ends (a blank line; "\r" ignored) across reads.
class FrameSplitter {
 public:
  int frames_in(const char* data, std::size_t size) {
    int frames = 0;
    for (std::size_t i = 0; i < size; ++i) {
      if (data[i] == '\r') continue;
      if (data[i] != '\n') {
        newline_ = false;
      } else if (newline_) {
        ++frames;
        newline_ = false;
      } else {
        newline_ = true;
      }
    }
    return frames;
  }

 private:
  bool newline_ = false;
};

// One streamed request on `stream`, connecting it first when it is closed. Returns whether the
// connection may carry the next request (closed otherwise).
sy::Task<bool> one_stream(sy::TcpStream& stream, Target& target, clock_type::duration late) {
  Result& result = target.result;
  bool late_stream = false;
  auto fail = [&](const std::string& what) {
    ++result.failed;
    if (late_stream) ++result.late_streams;
    if (result.first_error.empty()) result.first_error = what;
    stream.socket().close();
    return false;
  };
  if (!stream.socket().is_open()) {
    auto [ec] = co_await stream.async_connect(target.endpoint, sy::use_tuple);
    if (ec) co_return fail("connect: " + ec.message());
    stream.socket().set_option(sy::tcp::no_delay(true));
  }
  sy::http::request<sy::http::string_body> request{sy::http::verb::post, target.path, 11};
  request.set(sy::http::field::host, "bench");
  request.set(sy::http::field::content_type, "application/json");
  request.set(sy::http::field::authorization, "Bearer bench");  // the simulator wants a key; gateways ignore it
  request.body() = target.body;
  request.prepare_payload();
  auto start = clock_type::now();
  auto [write_ec, w] = co_await sy::http::async_write(stream, request, sy::use_tuple);
  if (write_ec) co_return fail("write: " + write_ec.message());

  sy::beast::flat_buffer buffer;
  sy::http::response_parser<sy::http::buffer_body> parser;
  parser.body_limit(boost::none);
  auto [header_ec, h] = co_await sy::http::async_read_header(stream, buffer, parser, sy::use_tuple);
  if (header_ec) co_return fail("header: " + header_ec.message());
  if (parser.get().result_int() != 200) co_return fail(fmt::format("status {}", parser.get().result_int()));
  char chunk[4096];
  bool first_byte = true;
  FrameSplitter splitter;
  std::optional<clock_type::time_point> last_frame;
  while (!parser.is_done()) {
    parser.get().body().data = chunk;
    parser.get().body().size = sizeof chunk;
    auto [read_ec, n] = co_await sy::http::async_read_some(stream, buffer, parser, sy::use_tuple);
    if (read_ec == sy::http::error::need_buffer) read_ec = {};
    if (read_ec) co_return fail("body: " + read_ec.message());
    std::size_t got = sizeof chunk - parser.get().body().size;
    if (got == 0) continue;
    auto now = clock_type::now();
    if (first_byte) {
      first_byte = false;
      result.ttfb_us.record(micros(now - start));
    }
    for (int frames = splitter.frames_in(chunk, got); frames > 0; --frames) {
      ++result.frames;
      if (last_frame) result.gap_us.record(micros(now - *last_frame));
      if (now - last_frame.value_or(start) > late) {
        ++result.late_frames;
        late_stream = true;
      }
      last_frame = now;
    }
  }
  ++result.completed;
  if (late_stream) ++result.late_streams;
  if (parser.keep_alive()) co_return true;
  stream.socket().close();
  co_return false;
}

struct Load {
  std::vector<Target> targets;  // the target, then the baseline if any
  clock_type::duration late;
  clock_type::time_point stop_at;  // pairs start no new stream after this
};

// One concurrent slot: a stream to each target started together, again until `stop_at` (at least
// once). A pair that failed waits 100 ms before its next stream, so a refusing target is not
// hammered in a tight loop.
sy::Task<> pair_slot(Load& load, clock_type::time_point start_at) {
  auto executor = co_await sy::net::this_coro::executor;
  sy::Timer timer(executor, start_at);
  co_await timer.async_wait(sy::use_tuple);
  sy::TcpStream to_target(executor), to_baseline(executor);
  do {
    bool ok = true;
    if (load.targets.size() == 1) {
      ok = co_await one_stream(to_target, load.targets[0], load.late);
    } else {
      auto a = one_stream(to_target, load.targets[0], load.late);
      auto b = one_stream(to_baseline, load.targets[1], load.late);
      auto both = std::move(a) && std::move(b);
      auto [ok_a, ok_b] = co_await std::move(both);
      ok = ok_a && ok_b;
    }
    if (!ok) {
      timer.expires_after(std::chrono::milliseconds(100));
      co_await timer.async_wait(sy::use_tuple);
    }
  } while (clock_type::now() < load.stop_at);
}

// How late this process's own event loop runs a 10 ms timer while `running`: when it is late,
// the load generator itself cannot keep up and every figure above includes its delay.
sy::Task<> watch_lag(Histogram& lag_us, const bool& running) {
  sy::Timer timer(co_await sy::net::this_coro::executor);
  while (running) {
    auto due = clock_type::now() + std::chrono::milliseconds(10);
    timer.expires_at(due);
    co_await timer.async_wait(sy::use_tuple);
    lag_us.record(micros(clock_type::now() - due));
  }
}

long rss_kb(int pid) {
  std::ifstream status(fmt::format("/proc/{}/status", pid));
  for (std::string line; std::getline(status, line);)
    if (line.starts_with("VmRSS:")) return std::stol(line.substr(6));
  return 0;
}

// Opens `count` connections to `endpoint` and reports the RSS of `pid` per connection: once all
// are accepted, then after one GET /healthz answered on each. A last probe request on a further
// connection tells when the server has accepted every earlier one (it accepts in order).
sy::Task<> idle_connections(sy::tcp::endpoint endpoint, int count, int pid) {
  auto executor = co_await sy::net::this_coro::executor;
  std::vector<sy::TcpStream> connections;
  connections.reserve(count + 1);
  sy::http::request<sy::http::empty_body> health{sy::http::verb::get, "/healthz", 11};
  health.set(sy::http::field::host, "bench");
  auto get_health = [&](sy::TcpStream& stream) -> sy::Task<bool> {
    auto [write_ec, w] = co_await sy::http::async_write(stream, health, sy::use_tuple);
    sy::beast::flat_buffer buffer;
    sy::http::response<sy::http::string_body> response;
    auto [read_ec, r] = co_await sy::http::async_read(stream, buffer, response, sy::use_tuple);
    co_return !write_ec && !read_ec && response.result_int() == 200 && response.keep_alive();
  };
  long before = rss_kb(pid);
  int failed = 0;
  for (int i = 0; i <= count; ++i) {
    auto& stream = connections.emplace_back(executor);
    auto [ec] = co_await stream.async_connect(endpoint, sy::use_tuple);
    if (ec) ++failed;
  }
  if (failed || !co_await get_health(connections.back())) {
    fmt::print("idle: {} of {} connections failed to open or the probe failed\n", failed, count + 1);
    co_return;
  }
  long connected = rss_kb(pid);
  int answered = 0;
  for (int i = 0; i < count; ++i) answered += co_await get_health(connections[i]);
  long after_request = rss_kb(pid);
  fmt::print(
      "idle: connections={} answered={} rss_before_kb={} rss_connected_kb={} rss_after_request_kb={} "
      "per_connection_connected_kb={:.1f} per_connection_after_request_kb={:.1f}\n",
      count, answered, before, connected, after_request, static_cast<double>(connected - before) / count,
      static_cast<double>(after_request - before) / count);
}

std::string summary(const Result& r) {
  std::string out = fmt::format(
      "streams={} completed={} failed={} frames={} frames_per_stream={:.1f} ttfb_p50_us={:.0f} ttfb_p99_us={:.0f} "
      "gap_p50_us={:.0f} gap_p99_us={:.0f} gap_max_us={:.0f} late_frames={} late_streams={}",
      r.completed + r.failed, r.completed, r.failed, r.frames,
      r.completed + r.failed ? static_cast<double>(r.frames) / (r.completed + r.failed) : 0.0,
      r.ttfb_us.percentile(0.50), r.ttfb_us.percentile(0.99), r.gap_us.percentile(0.50), r.gap_us.percentile(0.99),
      r.gap_us.max(), r.late_frames, r.late_streams);
  if (!r.first_error.empty()) out += " first_error=" + r.first_error;
  return out;
}

// Up to the hard limit: 10,000 pairs hold 20,000 sockets.
void raise_fd_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
}

int main(int argc, char** argv) {
  CLI::App app{"Concurrent streaming load"};
  std::string host = "127.0.0.1", path = "/v1/chat/completions", model, baseline_path, baseline_model;
  int port = 0, baseline_port = 0, streams = 1000, ramp_ms = 2000, late_ms = 200, idle = 0, rss_pid = 0;
  double duration_s = 0;
  app.add_option("--host", host);
  app.add_option("--port", port)->required();
  app.add_option("--path", path);
  app.add_option("--model", model);
  app.add_option("--baseline-port", baseline_port);
  app.add_option("--baseline-path", baseline_path);
  app.add_option("--baseline-model", baseline_model);
  app.add_option("--streams", streams, "concurrent streams (pairs, with a baseline)");
  app.add_option("--ramp-ms", ramp_ms, "spread the stream starts over this long");
  app.add_option("--duration-s", duration_s, "run streams back to back for this long; 0: one each");
  app.add_option("--late-ms", late_ms, "a frame this long after its predecessor is late");
  app.add_option("--idle", idle, "open this many idle connections and report --rss-pid's memory per connection");
  app.add_option("--rss-pid", rss_pid);
  CLI11_PARSE(app, argc, argv);
  raise_fd_limit();

  auto address = sy::net::ip::make_address(host);
  sy::net::io_context io(1);
  // An exception escaping a coroutine leaves io.run() and ends the program with its message.
  auto rethrow = [](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
  };
  if (idle > 0) {
    sy::net::co_spawn(io, idle_connections({address, static_cast<uint16_t>(port)}, idle, rss_pid), rethrow);
    io.run();
    return 0;
  }
  if (model.empty()) {
    fmt::print(stderr, "--model is required\n");
    return 2;
  }

  auto body_for = [](const std::string& m) {
    return fmt::format(R"({{"model":"{}","stream":true,"messages":[{{"role":"user","content":"hello"}}]}})", m);
  };
  Load load;
  load.late = std::chrono::milliseconds(late_ms);
  load.targets.push_back(Target{{address, static_cast<uint16_t>(port)}, path, body_for(model), {}});
  if (baseline_port)
    load.targets.push_back(
        Target{{address, static_cast<uint16_t>(baseline_port)}, baseline_path, body_for(baseline_model), {}});

  auto begin = clock_type::now();
  load.stop_at = begin + std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(duration_s));
  Histogram lag_us;
  bool running = true;
  int slots_left = streams;
  for (int i = 0; i < streams; ++i) {
    auto start_at = begin + std::chrono::microseconds(static_cast<long>(ramp_ms) * 1000 * i / std::max(1, streams));
    sy::net::co_spawn(io, pair_slot(load, start_at), [&](std::exception_ptr e) {
      running = --slots_left > 0;
      rethrow(e);
    });
  }
  sy::net::co_spawn(io, watch_lag(lag_us, running), rethrow);
  io.run();

  const Result& target = load.targets[0].result;
  fmt::print("target:   {}\n", summary(target));
  bool failed = target.failed > 0;
  if (load.targets.size() > 1) {
    const Result& baseline = load.targets[1].result;
    fmt::print("baseline: {}\n", summary(baseline));
    auto added = [](const Histogram& a, const Histogram& b, double p) { return a.percentile(p) - b.percentile(p); };
    fmt::print("added:    ttfb_p50_us={:.0f} ttfb_p99_us={:.0f} gap_p50_us={:.0f} gap_p99_us={:.0f}\n",
               added(target.ttfb_us, baseline.ttfb_us, 0.50), added(target.ttfb_us, baseline.ttfb_us, 0.99),
               added(target.gap_us, baseline.gap_us, 0.50), added(target.gap_us, baseline.gap_us, 0.99));
    failed = failed || baseline.failed > 0;
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](timeval t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  fmt::print("load:     event_loop_lag_p99_us={:.0f} event_loop_lag_max_us={:.0f} cpu_s={:.2f} wall_s={:.2f}\n",
             lag_us.percentile(0.99), lag_us.max(), seconds(usage.ru_utime) + seconds(usage.ru_stime),
             std::chrono::duration<double>(clock_type::now() - begin).count());
  return failed ? 1 : 0;
}
