#pragma once
// Keep-alive connections to upstream hosts, one pool per thread (and so per io_context): no
// locks, and a connection is only ever used by the thread that opened it.
#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <unordered_map>
#include <variant>
#include <vector>

#include "core/config.h"
#include "core/error.h"
#include "server/asio.h"
#include "server/io_deadline.h"

namespace switchyard {

using TlsStream = beast::ssl_stream<TcpSocket>;

class UpstreamConnection {
 public:
  // A new, unconnected connection; `tls` picks the stream type.
  UpstreamConnection(Executor executor, bool tls, std::string pool_key);
  UpstreamConnection(const UpstreamConnection&) = delete;
  UpstreamConnection& operator=(const UpstreamConnection&) = delete;

  TcpSocket& socket() {
    return std::visit([](auto& s) -> TcpSocket& { return beast::get_lowest_layer(s); }, stream);
  }

  std::variant<TcpSocket, TlsStream> stream;
  IoDeadline deadline;  // closes the socket when it passes
  beast::flat_buffer buffer;
  std::string pool_key;
  bool reused = false;  // came from the pool: the peer may have closed it meanwhile
};

class ConnectionPool {
 public:
  // The calling thread's pool; `executor` is the thread's io_context executor.
  static ConnectionPool& for_this_thread(const Executor& executor);

  // An idle pooled connection to the endpoint, or nullptr. Not a coroutine: the common case
  // costs no suspension.
  std::unique_ptr<UpstreamConnection> take_idle(const UpstreamEndpoint& endpoint);
  // A new connection (resolve, connect, TLS handshake) within `connect_timeout`.
  Task<std::pair<std::optional<Error>, std::unique_ptr<UpstreamConnection>>> connect(
      const UpstreamEndpoint& endpoint, std::chrono::milliseconds connect_timeout);
  // Takes back a connection whose last response was read whole and may be reused.
  void release(std::unique_ptr<UpstreamConnection> connection);

 private:
  explicit ConnectionPool(Executor executor) : executor_(std::move(executor)) {}
  Task<std::pair<error_code, tcp::resolver::results_type>> resolve(const UpstreamEndpoint& endpoint);

  struct CachedAddress {
    tcp::resolver::results_type results;
    std::chrono::steady_clock::time_point expires;
  };
  Executor executor_;
  std::unordered_map<std::string, std::vector<std::unique_ptr<UpstreamConnection>>> idle_;
  std::unordered_map<std::string, CachedAddress> addresses_;
};

}  // namespace switchyard
