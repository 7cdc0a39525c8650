#pragma once
// HTTP/1.1 server: one io_context per thread, each with its own SO_REUSEPORT acceptor, so the
// kernel spreads connections and no state is shared between threads on the hot path.
#include <atomic>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "core/config.h"
#include "core/error.h"
#include "server/exchange.h"

namespace switchyard {

struct ServerOptions {
  HostPort listen;
  unsigned threads = 1;
  std::size_t max_body_bytes = 32u << 20;
  std::chrono::milliseconds client_timeout{30000};  // to send a request, and to take each write
};

using Handler = std::function<Task<>(Exchange&)>;
// Renders an error found before the handler runs (body too large, bad HTTP) in the format the
// request's endpoint speaks.
using ErrorRenderer = std::function<http::response<http::string_body>(const Error&, const http::request_header<>&)>;

class HttpServer {
 public:
  HttpServer(ServerOptions options, Handler handler, ErrorRenderer render_error);
  ~HttpServer();

  // Binds every acceptor (throws std::system_error naming the address on failure), then runs
  // one thread per io_context.
  void start();
  uint16_t port() const { return port_; }
  // Stops accepting, waits up to `drain` for requests in flight to finish, then stops.
  void shutdown(std::chrono::milliseconds drain);
  void join();
  std::size_t in_flight() const { return in_flight_.load(std::memory_order_relaxed); }

 private:
  Task<> accept_loop(Acceptor& acceptor);
  Task<> session(TcpSocket socket);

  ServerOptions options_;
  Handler handler_;
  ErrorRenderer render_error_;
  std::vector<std::unique_ptr<net::io_context>> contexts_;
  std::vector<std::unique_ptr<Acceptor>> acceptors_;
  std::vector<std::thread> threads_;
  std::atomic<std::size_t> in_flight_{0};
  uint16_t port_ = 0;
};

}  // namespace switchyard
