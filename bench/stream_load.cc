// Opens many concurrent streaming chat requests and reports time to first byte (header + first
// event) and how many streams completed. With --baseline-port, every stream to the target is
// paired with one straight to the baseline (the upstream itself), started together, so both see
// the same machine noise and the difference is what the target adds. Used by bench/run.
//   stream_load --port 8080 --model sim/x --baseline-port 8081 --baseline-path /openai/v1/chat/completions
//               --baseline-model x --streams 5000 --ramp-ms 3000
#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <vector>

#include "server/asio.h"

namespace sy = switchyard;

using clock_type = std::chrono::steady_clock;

struct Result {
  std::vector<double> ttfb_us;
  int completed = 0;
  int failed = 0;
  std::string first_error;
};

sy::Task<> one_stream(sy::tcp::endpoint target, std::string path, std::string body, Result& result) {
  auto executor = co_await sy::net::this_coro::executor;
  sy::TcpStream stream(executor);
  auto fail = [&](const std::string& what) {
    ++result.failed;
    if (result.first_error.empty()) result.first_error = what;
  };
  auto [ec] = co_await stream.async_connect(target, sy::use_tuple);
  if (ec) co_return fail("connect: " + ec.message());
  stream.socket().set_option(sy::tcp::no_delay(true));
  sy::http::request<sy::http::string_body> request{sy::http::verb::post, path, 11};
  request.set(sy::http::field::host, "bench");
  request.set(sy::http::field::content_type, "application/json");
  request.set(sy::http::field::authorization, "Bearer bench");  // the simulator wants a key; gateways ignore it
  request.body() = std::move(body);
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
  bool first = true;
  while (!parser.is_done()) {
    parser.get().body().data = chunk;
    parser.get().body().size = sizeof chunk;
    auto [read_ec, n] = co_await sy::http::async_read_some(stream, buffer, parser, sy::use_tuple);
    if (read_ec == sy::http::error::need_buffer) read_ec = {};
    if (read_ec) co_return fail("body: " + read_ec.message());
    if (first && parser.get().body().size < sizeof chunk) {
      first = false;
      result.ttfb_us.push_back(std::chrono::duration<double, std::micro>(clock_type::now() - start).count());
    }
  }
  ++result.completed;
}

struct Target {
  sy::tcp::endpoint endpoint;
  std::string path;
  std::string body;
  Result result;
};

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

std::string summary(Target& t, int streams) {
  auto& r = t.result;
  std::string out = fmt::format("streams={} completed={} failed={} ttfb_p50_us={:.0f} ttfb_p99_us={:.0f}", streams,
                                r.completed, r.failed, percentile(r.ttfb_us, 0.50), percentile(r.ttfb_us, 0.99));
  if (!r.first_error.empty()) out += " first_error=" + r.first_error;
  return out;
}

int main(int argc, char** argv) {
  CLI::App app{"Concurrent streaming load"};
  std::string host = "127.0.0.1", path = "/v1/chat/completions", model, baseline_path, baseline_model;
  int port = 0, baseline_port = 0, streams = 1000, ramp_ms = 2000;
  app.add_option("--host", host);
  app.add_option("--port", port)->required();
  app.add_option("--path", path);
  app.add_option("--model", model)->required();
  app.add_option("--baseline-port", baseline_port);
  app.add_option("--baseline-path", baseline_path);
  app.add_option("--baseline-model", baseline_model);
  app.add_option("--streams", streams);
  app.add_option("--ramp-ms", ramp_ms, "spread the stream starts over this long");
  CLI11_PARSE(app, argc, argv);

  auto body_for = [](const std::string& m) {
    return fmt::format(R"({{"model":"{}","stream":true,"messages":[{{"role":"user","content":"hello"}}]}})", m);
  };
  auto address = sy::net::ip::make_address(host);
  std::vector<Target> targets;
  targets.push_back(Target{{address, static_cast<uint16_t>(port)}, path, body_for(model), {}});
  if (baseline_port)
    targets.push_back(
        Target{{address, static_cast<uint16_t>(baseline_port)}, baseline_path, body_for(baseline_model), {}});

  sy::net::io_context io(1);
  sy::net::co_spawn(
      io,
      [&]() -> sy::Task<> {
        auto executor = co_await sy::net::this_coro::executor;
        sy::Timer pace(executor);
        auto begin = clock_type::now();
        for (int i = 0; i < streams; ++i) {
          pace.expires_at(begin +
                          std::chrono::microseconds(static_cast<long>(ramp_ms) * 1000 * i / std::max(1, streams)));
          co_await pace.async_wait(sy::use_tuple);
          for (auto& t : targets)
            sy::net::co_spawn(executor, one_stream(t.endpoint, t.path, t.body, t.result), sy::net::detached);
        }
      },
      sy::net::detached);
  io.run();

  fmt::print("target:   {}\n", summary(targets[0], streams));
  bool failed = targets[0].result.failed > 0;
  if (targets.size() > 1) {
    fmt::print("baseline: {}\n", summary(targets[1], streams));
    auto& a = targets[0].result.ttfb_us;
    auto& b = targets[1].result.ttfb_us;
    fmt::print("added_ttfb_p50_us={:.0f} added_ttfb_p99_us={:.0f}\n", percentile(a, 0.50) - percentile(b, 0.50),
               percentile(a, 0.99) - percentile(b, 0.99));
    failed = failed || targets[1].result.failed > 0;
  }
  return failed ? 1 : 0;
}
