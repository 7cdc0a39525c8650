#include "telemetry/span_exporter.h"

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <optional>

using namespace switchyard;
namespace net = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;
using tcp = net::ip::tcp;

namespace {

constexpr auto kDeadline = std::chrono::seconds(10);

// An OTLP collector on 127.0.0.1 (a port of its own), on a thread: it keeps what each POST
// carried and answers `status`.
class Collector {
 public:
  struct Post {
    std::string target, content_type, body;
  };

  explicit Collector(http::status status) : status_(status), acceptor_(io_, {net::ip::make_address("127.0.0.1"), 0}) {
    net::co_spawn(io_, accept(), [](std::exception_ptr e) {
      if (e) std::rethrow_exception(e);
    });
    thread_ = std::thread([this] { io_.run(); });
  }
  ~Collector() {
    io_.stop();
    thread_.join();
  }

  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()); }

  // Waits until `n` POSTs came (false when they did not within kDeadline).
  bool wait_for(std::size_t n) {
    std::unique_lock lock(mutex_);
    return came_.wait_for(lock, kDeadline, [&] { return posts_.size() >= n; });
  }
  std::vector<Post> posts() {
    std::lock_guard lock(mutex_);
    return posts_;
  }

 private:
  net::awaitable<void> accept() {
    for (;;) {
      tcp::socket socket = co_await acceptor_.async_accept(net::use_awaitable);
      net::co_spawn(io_, serve(std::move(socket)), net::detached);
    }
  }
  net::awaitable<void> serve(tcp::socket socket) {
    boost::beast::flat_buffer buffer;
    http::request<http::string_body> request;
    auto [read_ec, n] = co_await http::async_read(socket, buffer, request, net::as_tuple(net::use_awaitable));
    if (read_ec) co_return;
    {
      std::lock_guard lock(mutex_);
      posts_.push_back(
          {std::string(request.target()), std::string(request[http::field::content_type]), std::move(request.body())});
    }
    came_.notify_all();
    http::response<http::string_body> response{status_, 11};
    response.set(http::field::content_type, "application/json");
    response.body() = "{}";
    response.keep_alive(false);
    response.prepare_payload();
    co_await http::async_write(socket, response, net::as_tuple(net::use_awaitable));
  }

  http::status status_;
  net::io_context io_;
  tcp::acceptor acceptor_;
  std::mutex mutex_;
  std::condition_variable came_;
  std::vector<Post> posts_;
  std::thread thread_;
};

// A URL nothing listens at: a port the OS gave and took back.
std::string unreachable() {
  net::io_context io;
  tcp::acceptor acceptor(io, {net::ip::make_address("127.0.0.1"), 0});
  return "http://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port());
}

// Whether `done` holds within kDeadline, looked at every millisecond.
template <class Condition>
bool eventually(Condition done) {
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

struct Request {
  UsageRecord record;
  TraceContext trace;
  std::vector<AttemptTrace> attempts;
};

Request request(int n, std::size_t attempts) {
  Request r;
  r.record.id = "gen_" + std::to_string(n);
  r.record.created_ms = 1795500000000 + n;
  r.record.endpoint = "/v1/chat/completions";
  r.record.model_requested = r.record.model = "openai/gpt-4o";
  r.record.provider = "openai";
  r.record.status = 200;
  r.record.latency_ms = 30;
  for (std::size_t i = 0; i < attempts; ++i) {
    r.record.attempts.push_back(
        {"openai", "gpt-4o", "openai/gpt-4o", true, 200, "", r.record.created_ms, r.record.created_ms + 30});
    r.attempts.push_back({new_span_id(), "openai"});
  }
  r.trace = start_trace(std::nullopt, 1.0);
  return r;
}

void submit(SpanExporter& exporter, const Request& r) {
  RecordView view;  // views of r.record, as the gateway hands them over
  view.id = r.record.id;
  view.created_ms = r.record.created_ms;
  view.endpoint = r.record.endpoint;
  view.model_requested = r.record.model_requested;
  view.model = r.record.model;
  view.provider = r.record.provider;
  view.status = r.record.status;
  view.latency_ms = r.record.latency_ms;
  for (const auto& a : r.record.attempts)
    view.attempts.push_back({a.provider, a.model, a.model_id, a.success, a.status, a.error, a.start_ms, a.end_ms});
  exporter.submit(view, r.trace, r.attempts);
}

std::size_t spans_in(const std::string& body) {
  std::size_t n = 0;
  const json::value parsed = json::parse(body);
  for (const auto& resource : parsed.at("resourceSpans").as_array())
    for (const auto& scope : resource.at("scopeSpans").as_array()) n += scope.at("spans").as_array().size();
  return n;
}

ExporterOptions options(std::string endpoint) {
  ExporterOptions o;
  o.endpoint = std::move(endpoint);
  o.interval = std::chrono::hours(1);  // a test's exports come from a full batch or the destructor
  o.timeout = std::chrono::seconds(5);
  return o;
}

}  // namespace

TEST(SpanExporter, WhatIsQueuedIsPostedWhenItStops) {
  Collector collector(http::status::ok);
  std::vector<Request> requests;
  for (int i = 0; i < 5; ++i) requests.push_back(request(i, 2));
  {
    SpanExporter exporter(options(collector.endpoint()));
    for (const auto& r : requests) submit(exporter, r);
  }
  ASSERT_TRUE(collector.wait_for(1));
  auto posts = collector.posts();
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].target, "/v1/traces");
  EXPECT_EQ(posts[0].content_type, "application/json");
  EXPECT_EQ(spans_in(posts[0].body), 15u);
  json::value body = json::parse(posts[0].body);
  const auto& spans = body.at("resourceSpans").at(0).at("scopeSpans").at(0).at("spans").as_array();
  EXPECT_EQ(spans.at(0).at("spanId").as_string(), to_hex(requests[0].trace.span_id.data(), 8));
  EXPECT_EQ(spans.at(1).at("spanId").as_string(), to_hex(requests[0].attempts[0].span_id.data(), 8));
  EXPECT_EQ(spans.at(1).at("parentSpanId").as_string(), to_hex(requests[0].trace.span_id.data(), 8));
}

TEST(SpanExporter, AFullBatchIsPostedAtOnceAndCounted) {
  Collector collector(http::status::ok);
  ExporterOptions o = options(collector.endpoint() + "/otlp/v1/traces");
  o.max_batch = 3;
  SpanExporter exporter(o);
  for (int i = 0; i < 3; ++i) submit(exporter, request(i, 1));
  ASSERT_TRUE(collector.wait_for(1));
  EXPECT_EQ(collector.posts()[0].target, "/otlp/v1/traces");
  EXPECT_EQ(spans_in(collector.posts()[0].body), 6u);
  EXPECT_TRUE(eventually([&] { return exporter.exported() == 6; }));
  EXPECT_NE(exporter.render_metrics().find("switchyard_otel_spans_exported_total 6\n"), std::string::npos);
}

TEST(SpanExporter, TheIntervalPostsWhatCame) {
  Collector collector(http::status::ok);
  ExporterOptions o = options(collector.endpoint());
  o.interval = std::chrono::milliseconds(20);
  SpanExporter exporter(o);
  submit(exporter, request(1, 0));
  ASSERT_TRUE(collector.wait_for(1));
  EXPECT_EQ(spans_in(collector.posts()[0].body), 1u);
}

TEST(SpanExporter, TheQueueIsBoundedAndWhatItDropsIsCounted) {
  ExporterOptions o = options(unreachable());
  o.max_queue = 4;
  auto exporter = std::make_unique<SpanExporter>(o);
  for (int i = 0; i < 10; ++i) submit(*exporter, request(i, 0));
  EXPECT_EQ(exporter->dropped(), 6u);
  submit(*exporter, request(10, 2));  // a request's spans: its own and its attempts'
  EXPECT_EQ(exporter->dropped(), 9u);
  EXPECT_NE(exporter->render_metrics().find("switchyard_otel_spans_dropped_total 9\n"), std::string::npos);
  exporter.reset();  // the last export fails at once (nothing listens), and nothing throws
}

TEST(SpanExporter, ACollectorAnswering500CountsTheSpansFailed) {
  Collector collector(http::status::internal_server_error);
  ExporterOptions o = options(collector.endpoint());
  o.max_batch = 2;
  SpanExporter exporter(o);
  for (int round = 1; round <= 2; ++round) {  // a full batch each: a POST each
    for (int i = 0; i < 2; ++i) submit(exporter, request(i, 1));
    ASSERT_TRUE(collector.wait_for(round));
    EXPECT_TRUE(eventually([&] { return exporter.failed() == 4u * round; }));
  }
  EXPECT_EQ(exporter.exported(), 0u);
  EXPECT_NE(exporter.render_metrics().find("switchyard_otel_spans_failed_total 8\n"), std::string::npos);
}

TEST(SpanExporter, OnlyHttpUrlsAreCollectors) {
  for (const char* endpoint : {"", "https://collector:4318", "collector:4318", "http://", "http://collector:0"})
    EXPECT_THROW(std::make_unique<SpanExporter>(options(endpoint)), std::invalid_argument) << endpoint;
}
