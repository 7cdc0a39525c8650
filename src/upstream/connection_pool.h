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

namespace switchyard {

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

struct UpstreamConnection {
  std::variant<PlainStream, TlsStream> stream;
  beast::flat_buffer buffer;
  std::string pool_key;
  bool reused = false;  // came from the pool: the peer may have closed it meanwhile
  std::chrono::steady_clock::time_point idle_since;

  beast::tcp_stream& tcp() {
    return std::visit([](auto& s) -> beast::tcp_stream& { return beast::get_lowest_layer(s); }, stream);
  }
};

class ConnectionPool {
 public:
  // The calling thread's pool; `executor` is the thread's io_context executor.
  static ConnectionPool& for_this_thread(const net::any_io_executor& executor);

  // A pooled idle connection to the endpoint, or a new one (resolve, connect, TLS handshake)
  // within `connect_timeout`.
  net::awaitable<std::pair<std::optional<Error>, std::unique_ptr<UpstreamConnection>>> acquire(
      const UpstreamEndpoint& endpoint, std::chrono::milliseconds connect_timeout);
  // Takes back a connection whose last response was read whole and may be reused.
  void release(std::unique_ptr<UpstreamConnection> connection);
  std::size_t idle_count() const;

 private:
  explicit ConnectionPool(net::any_io_executor executor) : executor_(std::move(executor)) {}
  net::awaitable<std::pair<error_code, tcp::resolver::results_type>> resolve(const UpstreamEndpoint& endpoint);

  struct CachedAddress {
    tcp::resolver::results_type results;
    std::chrono::steady_clock::time_point expires;
  };
  net::any_io_executor executor_;
  std::unordered_map<std::string, std::vector<std::unique_ptr<UpstreamConnection>>> idle_;
  std::unordered_map<std::string, CachedAddress> addresses_;
};

std::string pool_key(const UpstreamEndpoint& endpoint);

}  // namespace switchyard
