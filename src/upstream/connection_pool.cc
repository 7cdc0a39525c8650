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

Error connect_error(const UpstreamEndpoint& endpoint, const char* step, const error_code& ec) {
  auto kind = ec == beast::error::timeout ? ErrorKind::upstream_timeout : ErrorKind::upstream_unreachable;
  return make_error(kind, fmt::format("cannot {} {}:{}: {}", step, endpoint.host, endpoint.port,
                                      ec == beast::error::timeout ? "timed out" : ec.message()));
}

}  // namespace

std::string pool_key(const UpstreamEndpoint& endpoint) {
  return fmt::format("{}://{}:{}", endpoint.tls ? "https" : "http", endpoint.host, endpoint.port);
}

ConnectionPool& ConnectionPool::for_this_thread(const net::any_io_executor& executor) {
  thread_local ConnectionPool pool(executor);
  return pool;
}

std::size_t ConnectionPool::idle_count() const {
  std::size_t n = 0;
  for (const auto& [key, list] : idle_) n += list.size();
  return n;
}

net::awaitable<std::pair<error_code, tcp::resolver::results_type>> ConnectionPool::resolve(
    const UpstreamEndpoint& endpoint) {
  std::string key = fmt::format("{}:{}", endpoint.host, endpoint.port);
  auto now = std::chrono::steady_clock::now();
  if (auto it = addresses_.find(key); it != addresses_.end() && it->second.expires > now)
    co_return std::pair{error_code{}, it->second.results};
  tcp::resolver resolver(executor_);
  auto [ec, results] = co_await resolver.async_resolve(endpoint.host, std::to_string(endpoint.port), use_tuple);
  if (!ec) addresses_[key] = CachedAddress{results, now + kAddressTtl};
  co_return std::pair{ec, results};
}

net::awaitable<std::pair<std::optional<Error>, std::unique_ptr<UpstreamConnection>>> ConnectionPool::acquire(
    const UpstreamEndpoint& endpoint, std::chrono::milliseconds connect_timeout) {
  std::string key = pool_key(endpoint);
  auto& idle = idle_[key];
  auto now = std::chrono::steady_clock::now();
  while (!idle.empty()) {
    auto connection = std::move(idle.back());
    idle.pop_back();
    if (now - connection->idle_since < kMaxIdleTime) {
      connection->reused = true;
      co_return std::pair{std::nullopt, std::move(connection)};
    }
  }

  std::unique_ptr<UpstreamConnection> connection;
  if (endpoint.tls) {
    connection.reset(new UpstreamConnection{std::variant<PlainStream, TlsStream>(
        std::in_place_type<TlsStream>, beast::tcp_stream(executor_), tls_context())});
  } else {
    connection.reset(new UpstreamConnection{
        std::variant<PlainStream, TlsStream>(std::in_place_type<PlainStream>, beast::tcp_stream(executor_))});
  }
  connection->pool_key = std::move(key);

  auto& tcp_stream = connection->tcp();
  tcp_stream.expires_after(connect_timeout);
  auto [resolve_ec, addresses] = co_await resolve(endpoint);
  if (resolve_ec) co_return std::pair{connect_error(endpoint, "resolve", resolve_ec), nullptr};
  auto [ec, ep] = co_await tcp_stream.async_connect(addresses, use_tuple);
  if (ec) co_return std::pair{connect_error(endpoint, "connect to", ec), nullptr};
  tcp_stream.socket().set_option(tcp::no_delay(true), ec);

  if (auto* tls = std::get_if<TlsStream>(&connection->stream)) {
    if (!SSL_set_tlsext_host_name(tls->native_handle(), endpoint.host.c_str()))
      co_return std::pair{make_error(ErrorKind::upstream_unreachable, "cannot set TLS server name " + endpoint.host),
                          nullptr};
    tls->set_verify_callback(net::ssl::host_name_verification(endpoint.host));
    auto [hs_ec] = co_await tls->async_handshake(net::ssl::stream_base::client, use_tuple);
    if (hs_ec) co_return std::pair{connect_error(endpoint, "complete TLS with", hs_ec), nullptr};
  }
  co_return std::pair{std::nullopt, std::move(connection)};
}

void ConnectionPool::release(std::unique_ptr<UpstreamConnection> connection) {
  auto& idle = idle_[connection->pool_key];
  if (idle.size() >= kMaxIdlePerHost) return;
  connection->idle_since = std::chrono::steady_clock::now();
  connection->tcp().expires_never();
  idle.push_back(std::move(connection));
}

}  // namespace switchyard
