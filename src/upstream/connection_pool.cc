#include "upstream/connection_pool.h"

#include <fmt/format.h>

namespace switchyard {
namespace {

constexpr std::size_t kMaxIdlePerHost = 4096;
constexpr auto kMaxIdleTime = std::chrono::seconds(30);  // below common upstream keep-alive limits
constexpr auto kAddressTtl = std::chrono::seconds(60);

net::ssl::context& tls_context() {
  static net::ssl::context context = [] {
    net::ssl::context c(net::ssl::context::tls_client);
    c.set_default_verify_paths();
    c.set_verify_mode(net::ssl::verify_peer);
    return c;
  }();
  return context;
}

Error connect_error(const UpstreamEndpoint& endpoint, const char* step, const error_code& ec, bool timed_out) {
  auto kind = timed_out ? ErrorKind::upstream_timeout : ErrorKind::upstream_unreachable;
  return make_error(kind, fmt::format("cannot {} {}:{}: {}", step, endpoint.host, endpoint.port,
                                      timed_out ? "timed out" : ec.message()));
}

}  // namespace

UpstreamConnection::UpstreamConnection(Executor executor, bool tls, std::string key)
    : stream(tls ? std::variant<TcpSocket, TlsStream>(std::in_place_type<TlsStream>, TcpSocket(executor), tls_context())
                 : std::variant<TcpSocket, TlsStream>(std::in_place_type<TcpSocket>, executor)),
      deadline(executor,
               [this] {
                 error_code ignored;
                 socket().close(ignored);
               }),
      pool_key(std::move(key)) {
  buffer.reserve(8192);  // else each read takes at most 512 bytes and most answers take two
}

ConnectionPool& ConnectionPool::for_this_thread(const Executor& executor) {
  thread_local ConnectionPool pool(executor);
  return pool;
}

Task<std::pair<error_code, tcp::resolver::results_type>> ConnectionPool::resolve(const UpstreamEndpoint& endpoint) {
  std::string key = fmt::format("{}:{}", endpoint.host, endpoint.port);
  auto now = std::chrono::steady_clock::now();
  if (auto it = addresses_.find(key); it != addresses_.end() && it->second.expires > now)
    co_return std::pair{error_code{}, it->second.results};
  Resolver resolver(executor_);
  auto [ec, results] = co_await resolver.async_resolve(endpoint.host, std::to_string(endpoint.port), use_tuple);
  if (!ec) addresses_[key] = CachedAddress{results, now + kAddressTtl};
  co_return std::pair{ec, results};
}

std::unique_ptr<UpstreamConnection> ConnectionPool::take_idle(const UpstreamEndpoint& endpoint) {
  auto& idle = idle_[endpoint.pool_key];
  while (!idle.empty()) {
    auto connection = std::move(idle.back());
    idle.pop_back();
    if (connection->socket().is_open()) {  // its idle deadline closes it otherwise
      connection->reused = true;
      return connection;
    }
  }
  return nullptr;
}

Task<std::pair<std::optional<Error>, std::unique_ptr<UpstreamConnection>>> ConnectionPool::connect(
    const UpstreamEndpoint& endpoint, std::chrono::milliseconds connect_timeout) {
  auto connection = std::make_unique<UpstreamConnection>(executor_, endpoint.tls, endpoint.pool_key);
  connection->deadline.expires_after(connect_timeout);
  auto [resolve_ec, addresses] = co_await resolve(endpoint);
  if (resolve_ec) co_return std::pair{connect_error(endpoint, "resolve", resolve_ec, false), nullptr};
  auto [ec, ep] = co_await net::async_connect(connection->socket(), addresses, use_tuple);
  if (ec) co_return std::pair{connect_error(endpoint, "connect to", ec, connection->deadline.expired()), nullptr};
  connection->socket().set_option(tcp::no_delay(true), ec);

  if (auto* tls = std::get_if<TlsStream>(&connection->stream)) {
    if (!SSL_set_tlsext_host_name(tls->native_handle(), endpoint.host.c_str()))
      co_return std::pair{make_error(ErrorKind::upstream_unreachable, "cannot set TLS server name " + endpoint.host),
                          nullptr};
    tls->set_verify_callback(net::ssl::host_name_verification(endpoint.host));
    auto [hs_ec] = co_await tls->async_handshake(net::ssl::stream_base::client, use_tuple);
    if (hs_ec)
      co_return std::pair{connect_error(endpoint, "complete TLS with", hs_ec, connection->deadline.expired()), nullptr};
  }
  co_return std::pair{std::nullopt, std::move(connection)};
}

void ConnectionPool::release(std::unique_ptr<UpstreamConnection> connection) {
  auto& idle = idle_[connection->pool_key];
  if (idle.size() >= kMaxIdlePerHost) return;
  connection->deadline.expires_after(kMaxIdleTime);
  idle.push_back(std::move(connection));
}

}  // namespace switchyard
