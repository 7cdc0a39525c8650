// Open-loop, constant-rate HTTP/1.1 load (the role wrk2 plays): request i is due at start + i/rate
// whatever became of the ones before it, and its latency counts from that due time, so a target
// that stalls is charged for every request its stall delayed (no coordinated omission). Requests
// go over at most --connections keep-alive connections: a request due while every open one is
// busy opens another up to the maximum, else waits for the first to come free. Used by
// bench/neutral.sh.
//   rate_load --port 8080 --path /v1/chat/completions --body-file body.json --rate 5000 --duration-s 3
// Prints one line: rate= sent= ok= failed= p50_us= p99_us= p999_us= max_us= achieved_rps=, where
// only requests due after the warm-up count, and failed is every one of them not answered 2xx by
// the end of the schedule plus --grace-s (error statuses, connection errors, never sent).
// Everything runs on one thread, so the load costs one core's share and no locks.
#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>
#include <exception>
#include <fstream>
#include <iterator>
#include <list>
#include <optional>
#include <vector>

#include "server/asio.h"

namespace sy = switchyard;

using clock_type = std::chrono::steady_clock;

struct Connection {
  explicit Connection(const sy::Executor& executor) : socket(executor), wake(executor) {}
  sy::TcpSocket socket;
  sy::Timer wake;                             // an idle connection waits on it; cancelled to hand it a request
  std::optional<clock_type::time_point> due;  // the request handed to it, by its due time
  sy::beast::flat_buffer buffer;
};

// The run's state, touched only from the one thread.
struct Load {
  sy::tcp::endpoint target;
  std::string request;  // the whole request, serialized once
  std::size_t max_connections = 0;
  clock_type::time_point measure_from;  // requests due before this are the warm-up
  // Due requests no connection could take yet: at most the run's request count.
  std::deque<clock_type::time_point> waiting;
  std::vector<Connection*> idle;
  std::list<Connection> connections;  // at most max_connections; outlive every coroutine
  std::size_t outstanding = 0;        // handed out and not finished
  bool scheduled_all = false, stopping = false;
  sy::Timer* done = nullptr;       // cancelled when the last request finishes after the schedule ends
  long sent = 0, ok = 0;           // of the measured requests
  std::string first_error;         // what went wrong first, for a person to read
  std::vector<double> latency_us;  // of each measured 2xx answer: at most the measured request count
};

// Records why a request failed, unless the run is stopping (which fails what is in flight).
void note_error(Load& load, const std::string& what) {
  if (load.first_error.empty() && !load.stopping) load.first_error = what;
}

void finish(Load& load) {
  if (--load.outstanding == 0 && load.scheduled_all) load.done->cancel();
}

// One keep-alive connection's life: serves the requests handed to it, then those waiting, and
// parks in the idle list when there are none. (Re)connects when a request finds it closed.
sy::Task<> serve(Load& load, Connection& connection) {
  for (;;) {
    if (load.stopping) co_return;
    if (!connection.due) {
      if (load.waiting.empty()) {
        load.idle.push_back(&connection);
        connection.wake.expires_at(clock_type::time_point::max());
        co_await connection.wake.async_wait(sy::use_tuple);
        continue;
      }
      connection.due = load.waiting.front();
      load.waiting.pop_front();
    }
    const auto due = *connection.due;
    connection.due.reset();
    const bool measured = due >= load.measure_from;
    auto& socket = connection.socket;
    sy::error_code ignored;
    if (!socket.is_open()) {
      connection.buffer.clear();
      auto [connect_ec] = co_await socket.async_connect(load.target, sy::use_tuple);
      if (connect_ec) {
        note_error(load, "connect: " + connect_ec.message());
        socket.close(ignored);
        finish(load);
        continue;
      }
      socket.set_option(sy::tcp::no_delay(true), ignored);
    }
    auto request_buffer = sy::net::buffer(load.request);
    auto [write_ec, written] = co_await sy::net::async_write(socket, request_buffer, sy::use_tuple);
    if (write_ec) {
      note_error(load, "write: " + write_ec.message());
      socket.close(ignored);
      finish(load);
      continue;
    }
    if (measured && !load.stopping) ++load.sent;
    sy::http::response<sy::http::string_body> response;
    auto [read_ec, read] = co_await sy::http::async_read(socket, connection.buffer, response, sy::use_tuple);
    if (read_ec) {
      note_error(load, "read: " + read_ec.message());
      socket.close(ignored);
      finish(load);
      continue;
    }
    const int status = response.result_int();
    if (status < 200 || status >= 300) {
      note_error(load, fmt::format("status {}", status));
    } else if (measured && !load.stopping) {
      ++load.ok;
      load.latency_us.push_back(std::chrono::duration<double, std::micro>(clock_type::now() - due).count());
    }
    if (!response.keep_alive()) socket.close(ignored);
    finish(load);
  }
}

// Hands the request due at `due` to an idle connection, a new one, or the waiting line.
void dispatch(Load& load, const sy::Executor& executor, clock_type::time_point due, auto on_exit) {
  ++load.outstanding;
  if (!load.idle.empty()) {
    Connection* connection = load.idle.back();
    load.idle.pop_back();
    connection->due = due;
    connection->wake.cancel();
  } else if (load.connections.size() < load.max_connections) {
    auto& connection = load.connections.emplace_back(executor);
    connection.due = due;
    sy::net::co_spawn(executor, serve(load, connection), on_exit);
  } else {
    load.waiting.push_back(due);
  }
}

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  return sorted[std::min(sorted.size() - 1, static_cast<std::size_t>(p * static_cast<double>(sorted.size())))];
}

int main(int argc, char** argv) {
  CLI::App app{"Open-loop constant-rate HTTP/1.1 load"};
  std::string host = "127.0.0.1", path = "/", body_file;
  std::vector<std::string> headers;
  int port = 0, max_connections = 64;
  double rate = 0, duration_s = 3, warmup_s = 0.5, grace_s = 1;
  app.add_option("--url-host", host, "an IP address");
  app.add_option("--port", port)->required();
  app.add_option("--path", path);
  app.add_option("--body-file", body_file, "POST this body as application/json (else GET)");
  app.add_option("--header", headers, "\"Name: value\", repeatable");
  app.add_option("--rate", rate, "requests per second")->required()->check(CLI::PositiveNumber);
  app.add_option("--duration-s", duration_s, "the measured part")->check(CLI::PositiveNumber);
  app.add_option("--warmup-s", warmup_s, "sent at the same rate first, not counted")->check(CLI::NonNegativeNumber);
  app.add_option("--connections", max_connections, "keep-alive connections at most")->check(CLI::PositiveNumber);
  app.add_option("--grace-s", grace_s, "how long after the last due time an answer still counts")
      ->check(CLI::NonNegativeNumber);
  CLI11_PARSE(app, argc, argv);

  sy::error_code address_ec;
  auto address = sy::net::ip::make_address(host, address_ec);
  if (address_ec) {
    fmt::print(stderr, "rate_load: --url-host {} is not an IP address\n", host);
    return 2;
  }
  std::string body;
  if (!body_file.empty()) {
    std::ifstream in(body_file, std::ios::binary);
    if (!in) {
      fmt::print(stderr, "rate_load: cannot read {}\n", body_file);
      return 2;
    }
    body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

  sy::net::io_context io(1);  // before the load: its sockets and timers must go first
  Load load;
  load.target = sy::tcp::endpoint(address, static_cast<uint16_t>(port));
  load.max_connections = static_cast<std::size_t>(max_connections);
  load.request = fmt::format("{} {} HTTP/1.1\r\nHost: {}:{}\r\n", body_file.empty() ? "GET" : "POST", path, host, port);
  if (!body_file.empty())
    load.request += fmt::format("Content-Type: application/json\r\nContent-Length: {}\r\n", body.size());
  for (const auto& header : headers) load.request += header + "\r\n";
  load.request += "\r\n" + body;

  const auto total = static_cast<long>(std::llround(rate * (warmup_s + duration_s)));
  const auto measured_total = static_cast<long>(std::llround(rate * duration_s));
  load.latency_us.reserve(static_cast<std::size_t>(measured_total));
  auto on_exit = [](std::exception_ptr escaped) {
    if (escaped) fmt::print(stderr, "rate_load: a coroutine ended by an exception\n");
  };

  sy::Timer done(io.get_executor());  // outlives every coroutine that may cancel it
  load.done = &done;
  sy::net::co_spawn(
      io.get_executor(),
      [&]() -> sy::Task<> {
        auto executor = co_await sy::net::this_coro::executor;
        sy::Timer pace(executor);
        const auto start = clock_type::now();
        const auto due_at = [&](long i) {
          return start + std::chrono::nanoseconds(static_cast<long>(static_cast<double>(i) * 1e9 / rate));
        };
        load.measure_from = due_at(total - measured_total);
        for (long i = 0; i < total; ++i) {
          const auto due = due_at(i);
          if (due > clock_type::now()) {  // else late already: sent at once, its latency counts from `due`
            pace.expires_at(due);
            co_await pace.async_wait(sy::use_tuple);
          }
          dispatch(load, executor, due, on_exit);
        }
        load.scheduled_all = true;
        if (load.outstanding > 0) {
          done.expires_at(due_at(total) + std::chrono::nanoseconds(static_cast<long>(grace_s * 1e9)));
          co_await done.async_wait(sy::use_tuple);
        }
        load.stopping = true;
        sy::error_code ignored;
        for (auto& connection : load.connections) {
          connection.socket.close(ignored);
          connection.wake.cancel();
        }
      },
      on_exit);
  io.run();

  std::sort(load.latency_us.begin(), load.latency_us.end());
  const auto& l = load.latency_us;
  fmt::print(
      "rate={:.0f} sent={} ok={} failed={} p50_us={:.0f} p99_us={:.0f} p999_us={:.0f} max_us={:.0f} "
      "achieved_rps={:.0f}\n",
      rate, load.sent, load.ok, measured_total - load.ok, percentile(l, 0.50), percentile(l, 0.99),
      percentile(l, 0.999), l.empty() ? 0.0 : l.back(), static_cast<double>(load.ok) / duration_s);
  if (!load.first_error.empty()) fmt::print(stderr, "rate_load: first error: {}\n", load.first_error);
  return 0;
}
