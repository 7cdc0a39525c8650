#include "pipeline/gateway_harness.h"

#include <thread>

#include "server/io_deadline.h"

namespace switchyard::testing {
namespace {

// The decoded body of a chunked message, as far as complete chunks go.
std::string dechunk(std::string_view raw) {
  std::string out;
  for (;;) {
    auto line_end = raw.find("\r\n");
    if (line_end == std::string_view::npos) return out;
    std::size_t size = std::stoul(std::string(raw.substr(0, line_end)), nullptr, 16);
    if (size == 0 || raw.size() < line_end + 2 + size) return out;
    out.append(raw.substr(line_end + 2, size));
    raw.remove_prefix(line_end + 2 + size + 2);
  }
}

ClientView parse_response(const std::string& raw) {
  ClientView view;
  auto head_end = raw.find("\r\n\r\n");
  if (head_end == std::string::npos) return view;
  std::string_view head(raw.data(), head_end);
  view.status = static_cast<unsigned>(std::stoul(std::string(head.substr(9, 3))));
  head.remove_prefix(std::min(head.size(), head.find("\r\n") + 2));
  while (!head.empty()) {
    auto end = std::min(head.size(), head.find("\r\n"));
    std::string_view line = head.substr(0, end);
    auto colon = line.find(':');
    view.headers.emplace_back(std::string(line.substr(0, colon)), std::string(line.substr(colon + 2)));
    head.remove_prefix(std::min(head.size(), end + 2));
  }
  std::string_view body(raw.data() + head_end + 4, raw.size() - head_end - 4);
  view.body = beast::iequals(view.header("transfer-encoding"), "chunked") ? dechunk(body) : std::string(body);
  return view;
}

}  // namespace

std::string ClientView::header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (beast::iequals(key, name)) return value;
  return {};
}

ClientView run_request(Gateway& gateway, const Exchanged& exchanged) {
  std::string raw;
  std::thread([&] {
    net::io_context ioc;
    Acceptor acceptor(ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
    TcpSocket client(ioc), server(ioc);
    client.connect(acceptor.local_endpoint());
    acceptor.accept(server);
    http::request<http::string_body> request{exchanged.method, exchanged.target, 11};
    request.set(http::field::content_type, "application/json");
    for (const auto& [name, value] : exchanged.headers) request.set(name, value);
    request.body() = exchanged.body;
    request.prepare_payload();
    bool served = false, read = false;
    net::co_spawn(
        ioc,
        [&]() -> Task<> {
          IoDeadline deadline(ioc.get_executor(), [&] {
            error_code ignored;
            server.close(ignored);
          });
          Exchange exchange(server, deadline, request, std::chrono::seconds(5));
          co_await gateway.handle(exchange);
          error_code ignored;
          server.shutdown(TcpSocket::shutdown_send, ignored);
          served = true;
          if (read) ioc.stop();
        },
        net::detached);
    net::co_spawn(
        ioc,
        [&]() -> Task<> {
          std::array<char, 4096> buffer;
          for (;;) {
            auto [ec, n] = co_await client.async_read_some(net::buffer(buffer), use_tuple);
            if (ec) break;
            raw.append(buffer.data(), n);
            if (exchanged.hang_up_after && raw.find(*exchanged.hang_up_after) != std::string::npos) {
              client.close();
              break;
            }
          }
          read = true;
          if (served) ioc.stop();
        },
        net::detached);
    ioc.run();
  }).join();
  return parse_response(raw);
}

TestGateway::TestGateway(const std::string& yaml)
    : breaker([this] { return now; }), config(std::make_shared<const Config>(parse_config(yaml, "test.yaml"))) {
  keys = std::make_unique<KeyTable>(*config);
  governor = std::make_unique<Governor>(
      quota, quota, nullptr, nullptr, [this] { return wall_ms; }, false);
  gateway = std::make_unique<Gateway>(
      config, nullptr,
      Services{breaker, latency, transport, [this] { return draw; }, *keys, *governor, [this] { return wall_ms; }});
}

ClientView TestGateway::chat(std::string body, std::vector<std::pair<std::string, std::string>> headers) {
  return run_request(*gateway,
                     Exchanged{http::verb::post, "/v1/chat/completions", std::move(body), std::move(headers), {}});
}

}  // namespace switchyard::testing
