#include "server/exchange.h"

namespace switchyard {

net::awaitable<bool> Exchange::respond(http::response<http::string_body> response) {
  responded_ = true;
  response.version(request_.version());
  response.keep_alive(keep_alive_);
  response.prepare_payload();
  stream_.expires_after(write_timeout_);
  auto [ec, n] = co_await http::async_write(stream_, response, use_tuple);
  if (ec) fail();
  co_return !ec;
}

net::awaitable<bool> Exchange::begin_stream(http::response<http::empty_body> header) {
  responded_ = true;
  header.version(request_.version());
  header.keep_alive(keep_alive_);
  header.chunked(true);
  http::response_serializer<http::empty_body> serializer(header);
  stream_.expires_after(write_timeout_);
  auto [ec, n] = co_await http::async_write_header(stream_, serializer, use_tuple);
  if (ec) fail();
  co_return !ec;
}

net::awaitable<bool> Exchange::write_chunk(std::string_view data) {
  if (data.empty()) co_return true;  // an empty chunk would end the body
  stream_.expires_after(write_timeout_);
  auto [ec, n] = co_await net::async_write(stream_, http::make_chunk(net::const_buffer(data.data(), data.size())), use_tuple);
  if (ec) fail();
  co_return !ec;
}

net::awaitable<bool> Exchange::end_stream() {
  stream_.expires_after(write_timeout_);
  auto [ec, n] = co_await net::async_write(stream_, http::make_chunk_last(), use_tuple);
  if (ec) fail();
  co_return !ec;
}

}  // namespace switchyard
