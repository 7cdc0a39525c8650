#include "sim/sim_client.h"

#include "server/exchange.h"

namespace switchyard::testing {

SimReply ask_simulator(sim::Simulator& simulator, const std::string& target, const std::string& body,
                       const std::vector<std::pair<std::string, std::string>>& headers) {
  net::io_context ioc;
  Acceptor acceptor(ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  TcpSocket client(ioc), server(ioc);
  client.connect(acceptor.local_endpoint());
  acceptor.accept(server);
  server.set_option(tcp::no_delay(true));  // as the simulator's own server sets it
  http::request<http::string_body> request{http::verb::post, target, 11};
  request.set(http::field::content_type, "application/json");
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = body;
  request.prepare_payload();

  SimReply reply;
  net::co_spawn(
      ioc,
      [&]() -> Task<> {
        IoDeadline deadline(ioc.get_executor(), [&] {
          error_code ignored;
          server.close(ignored);
        });
        Exchange exchange(server, deadline, request, std::chrono::seconds(5));
        co_await simulator.handle(exchange);
        error_code ignored;
        server.shutdown(TcpSocket::shutdown_send, ignored);
      },
      net::detached);
  net::co_spawn(
      ioc,
      [&]() -> Task<> {
        beast::flat_buffer buffer;
        http::response_parser<http::string_body> parser;
        parser.body_limit(1u << 20);
        auto [ec, n] = co_await http::async_read(client, buffer, parser, use_tuple);
        if (parser.is_header_done()) {
          reply.status = parser.get().result_int();
          reply.content_type = parser.get()[http::field::content_type];
        }
        reply.body = parser.get().body();
        reply.complete = !ec && parser.is_done();
        reply.reset = ec == net::error::connection_reset;
      },
      net::detached);
  ioc.run();
  return reply;
}

}  // namespace switchyard::testing
