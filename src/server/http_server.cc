#include "server/http_server.h"

#include <spdlog/spdlog.h>

#include <boost/asio/detail/socket_option.hpp>

#include "server/client_watch.h"
#include "server/message_head.h"

namespace switchyard {
namespace {

using reuse_port = net::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

// A flat_buffer reads at most its free capacity (512 bytes when new), and it only grows when a
// read needs more: left alone, most requests would take two reads (strace, bench/run).
constexpr std::size_t kReadBufferBytes = 8192;

// How long requests cut at the end of the drain time get to write their last bytes.
constexpr auto kCutGrace = std::chrono::seconds(1);

struct InFlight {
  explicit InFlight(std::atomic<std::size_t>& n) : n_(n) { n_.fetch_add(1, std::memory_order_relaxed); }
  ~InFlight() { n_.fetch_sub(1, std::memory_order_relaxed); }
  std::atomic<std::size_t>& n_;
};

}  // namespace

HttpServer::HttpServer(ServerOptions options, Handler handler, ErrorRenderer render_error)
    : options_(std::move(options)), handler_(std::move(handler)), render_error_(std::move(render_error)) {
  if (options_.threads == 0) options_.threads = std::max(1u, std::thread::hardware_concurrency());
}

HttpServer::~HttpServer() {
  for (auto& ctx : contexts_) ctx->stop();
  join();
}

void HttpServer::start() {
  error_code ec;
  auto address = net::ip::make_address(options_.listen.host, ec);
  if (ec) throw std::system_error(ec, "listen address '" + options_.listen.host + "'");
  uint16_t port = options_.listen.port;
  // The threads' acceptors share the port through SO_REUSEPORT, which the kernel would also grant
  // another process of the same user: traffic would be split between two gateways. A socket bound
  // without it first fails when anything listens there already; it is closed before ours bind.
  if (port != 0) {
    net::io_context probe_context;
    Acceptor probe(probe_context);
    tcp::endpoint endpoint(address, port);
    probe.open(endpoint.protocol());
    probe.set_option(net::socket_base::reuse_address(true));
    probe.bind(endpoint, ec);
    if (ec) throw std::system_error(ec, "cannot listen on " + options_.listen.host + ":" + std::to_string(port));
  }
  for (unsigned i = 0; i < options_.threads; ++i) {
    // Each context is run by one thread and touched by others only through post() and stop(),
    // so its reactor needs no locking.
    auto ctx = std::make_unique<net::io_context>(BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO);
    auto acceptor = std::make_unique<Acceptor>(*ctx);
    tcp::endpoint endpoint(address, port);
    acceptor->open(endpoint.protocol());
    acceptor->set_option(net::socket_base::reuse_address(true));
    acceptor->set_option(reuse_port(true));
    acceptor->bind(endpoint, ec);
    if (ec) throw std::system_error(ec, "cannot listen on " + options_.listen.host + ":" + std::to_string(port));
    acceptor->listen(net::socket_base::max_listen_connections);
    port = acceptor->local_endpoint().port();  // a listen port of 0 becomes the one bound first
    net::co_spawn(*ctx, accept_loop(*acceptor), net::detached);
    contexts_.push_back(std::move(ctx));
    acceptors_.push_back(std::move(acceptor));
  }
  port_ = port;
  for (auto& ctx : contexts_) threads_.emplace_back([c = ctx.get()] { c->run(); });
}

void HttpServer::shutdown(std::chrono::milliseconds drain) {
  for (std::size_t i = 0; i < contexts_.size(); ++i)
    net::post(*contexts_[i], [a = acceptors_[i].get()] { a->close(); });
  auto wait_until_idle = [this](std::chrono::steady_clock::time_point deadline) {
    while (in_flight() > 0 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  };
  wait_until_idle(std::chrono::steady_clock::now() + drain);
  if (in_flight() > 0) {
    // Still running (long streams): cut them, so each ends its answer with an error event and
    // leaves its record, rather than being dropped mid-byte with the event loops.
    spdlog::warn("{} request(s) still running after the drain time: ending them", in_flight());
    for (auto& ctx : contexts_) net::post(*ctx, [] { cut_all_on_this_thread(); });
    wait_until_idle(std::chrono::steady_clock::now() + kCutGrace);
  }
  for (auto& ctx : contexts_) ctx->stop();
}

void HttpServer::join() {
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

Task<> HttpServer::accept_loop(Acceptor& acceptor) {
  while (acceptor.is_open()) {
    auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
    if (ec) {
      if (ec == net::error::operation_aborted || !acceptor.is_open()) co_return;
      // Out of descriptors or a transient error: back off briefly instead of spinning.
      spdlog::warn("accept failed: {}", ec.message());
      Timer pause(acceptor.get_executor(), std::chrono::milliseconds(50));
      co_await pause.async_wait(use_tuple);
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    net::co_spawn(acceptor.get_executor(), session(std::move(socket)), net::detached);
  }
}

Task<> HttpServer::session(TcpSocket socket) {
  IoDeadline deadline(socket.get_executor(), [&socket] {
    error_code ignored;
    socket.close(ignored);
  });
  beast::flat_buffer buffer;
  buffer.reserve(kReadBufferBytes);
  auto reject = [&](const Error& error, const http::request_header<>& header) -> Task<> {
    auto response = render_error_(error, header);
    std::string head = response_head(response.result_int(), header.version(), header_lines(response.base()), false,
                                     response.body().size());
    std::array<net::const_buffer, 2> message{net::buffer(head), net::buffer(response.body())};
    deadline.expires_after(options_.client_timeout);
    co_await net::async_write(socket, message, use_tuple);
    // Lingering close: a client still sending its body would get a reset that can destroy the
    // answer before it reads it, so stop sending, and read and drop input for a moment first.
    error_code ignored;
    socket.shutdown(TcpSocket::shutdown_send, ignored);
    deadline.expires_after(std::chrono::seconds(1));
    std::array<char, 8192> sink;
    for (std::size_t drained = 0; drained < (std::size_t{64} << 20);) {
      auto [read_ec, n] = co_await socket.async_read_some(net::buffer(sink), use_tuple);
      if (read_ec) break;
      drained += n;
    }
  };

  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(64 * 1024);
    parser.body_limit(options_.max_body_bytes);
    deadline.expires_after(options_.client_timeout);  // for the whole request, head and body
    auto [ec, n] = co_await http::async_read_header(socket, buffer, parser, use_tuple);
    if (ec == http::error::body_limit) {  // Content-Length over the limit: refused unread
      co_await reject(make_error(ErrorKind::payload_too_large,
                                 "request body is " + std::to_string(parser.content_length().value_or(0)) +
                                     " bytes; the limit is " + std::to_string(options_.max_body_bytes)),
                      parser.get());
      break;
    }
    if (ec) {
      if (ec.category() == http::make_error_code(http::error::bad_version).category() &&
          ec != http::error::end_of_stream)
        co_await reject(make_error(ErrorKind::bad_request, "malformed HTTP request: " + ec.message()), parser.get());
      break;
    }
    // Only plain "chunked" framing is understood: any other transfer coding would leave the body
    // unread and its bytes parsed as the next request.
    const auto& head = parser.get();
    if (auto codings = head.count(http::field::transfer_encoding);
        codings > 1 || (codings == 1 && !beast::iequals(head[http::field::transfer_encoding], "chunked"))) {
      co_await reject(
          make_error(ErrorKind::bad_request, "only Transfer-Encoding: chunked is supported; send it or Content-Length"),
          head);
      break;
    }
    if (beast::iequals(parser.get()[http::field::expect], "100-continue")) {
      http::response<http::empty_body> go_on{http::status::continue_, parser.get().version()};
      co_await http::async_write(socket, go_on, use_tuple);
    }
    std::tie(ec, n) = co_await http::async_read(socket, buffer, parser, use_tuple);
    if (ec == http::error::body_limit) {
      co_await reject(make_error(ErrorKind::payload_too_large, "request body exceeds the limit of " +
                                                                   std::to_string(options_.max_body_bytes) + " bytes"),
                      parser.get());
      break;
    }
    if (ec) break;
    deadline.disarm();  // the handler may wait on an upstream; writes arm it again

    http::request<http::string_body> request = parser.release();
    Exchange exchange(socket, deadline, request, options_.client_timeout);
    {
      InFlight guard(in_flight_);
      bool failed = false;
      try {
        co_await handler_(exchange);
      } catch (const std::exception& e) {
        // The path only: a query may carry a key (Google's clients may send ?key=).
        spdlog::error("handler failed on {}: {}", std::string(request.target().substr(0, request.target().find('?'))),
                      e.what());
        failed = true;
      }
      if (failed) {
        exchange.close_after();
        if (!exchange.responded())
          co_await exchange.respond(render_error_(make_error(ErrorKind::internal, "internal error"), request));
      }
    }
    if (!exchange.keep_alive()) break;
  }
  error_code ignored;
  socket.shutdown(TcpSocket::shutdown_send, ignored);
}

}  // namespace switchyard
