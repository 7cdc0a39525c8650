#include "server/exchange.h"

#include "server/message_head.h"

namespace switchyard {

template <class Buffers>
Task<bool> Exchange::write(const Buffers& buffers) {
  deadline_.expires_after(write_timeout_);
  auto [ec, n] = co_await net::async_write(socket_, buffers, use_tuple);
  deadline_.disarm();  // between writes the client owes us nothing
  if (ec) keep_alive_ = false;
  co_return !ec;
}

Task<bool> Exchange::respond(http::response<http::string_body> response) {
  co_return co_await respond(response.result_int(), header_lines(response.base()), response.body());
}

Task<bool> Exchange::respond(unsigned status, std::string_view lines, std::string_view body) {
  responded_ = true;
  status_ = status;
  first_data_at_ = std::chrono::steady_clock::now();
  std::string head = response_head(status, request_.version(), lines, keep_alive_, body.size());
  // The answer to HEAD is the head GET would get, with no body after it.
  if (request_.method() == http::verb::head) body = {};
  std::array<net::const_buffer, 2> message{net::buffer(head), net::buffer(body)};
  co_return co_await write(message);
}

Task<bool> Exchange::begin_stream(http::response<http::empty_body> header) {
  responded_ = true;
  status_ = header.result_int();
  header.set(http::field::transfer_encoding, "chunked");
  std::string head =
      response_head(header.result_int(), request_.version(), header_lines(header.base()), keep_alive_, std::nullopt);
  co_return co_await write(net::buffer(head));
}

Task<bool> Exchange::write_chunk(std::string_view data) {
  if (data.empty()) co_return true;  // an empty chunk would end the body
  if (!first_data_at_) first_data_at_ = std::chrono::steady_clock::now();
  co_return co_await write(http::make_chunk(net::const_buffer(data.data(), data.size())));
}

Task<bool> Exchange::end_stream() { co_return co_await write(http::make_chunk_last()); }

}  // namespace switchyard
