#pragma once
// One HTTP request on a client connection, and the means to answer it exactly once: either a
// whole response or a chunked stream (SSE), each write bounded by the client timeout so a
// stalled client cannot hold the connection forever.
#include <chrono>
#include <optional>
#include <string_view>

#include "server/asio.h"
#include "server/io_deadline.h"

namespace switchyard {

class Exchange {
 public:
  Exchange(TcpSocket& socket, IoDeadline& deadline, http::request<http::string_body>& request,
           std::chrono::milliseconds write_timeout)
      : socket_(socket),
        deadline_(deadline),
        request_(request),
        write_timeout_(write_timeout),
        keep_alive_(request.keep_alive()) {}

  http::request<http::string_body>& request() { return request_; }
  bool responded() const { return responded_; }
  // The status sent (0 before any); when the answer's first body byte went out (for a stream,
  // its first chunk), for time-to-first-token.
  unsigned status() const { return status_; }
  std::optional<std::chrono::steady_clock::time_point> first_data_at() const { return first_data_at_; }
  bool keep_alive() const { return keep_alive_; }
  // The connection closes after this exchange (the simulator's fault modes, fatal errors).
  void close_after() { keep_alive_ = false; }
  TcpSocket& socket() { return socket_; }

  // Sends a whole response; sets Content-Length and keep-alive (for HEAD, the head alone). False
  // when the client is gone.
  Task<bool> respond(http::response<http::string_body> response);
  // The same from header lines already in text ("Name: value\r\n" each).
  Task<bool> respond(unsigned status, std::string_view header_lines, std::string_view body);
  // Sends the header of a chunked response; then write_chunk per piece, then end_stream.
  Task<bool> begin_stream(http::response<http::empty_body> header);
  // Sends one chunk and flushes it. False when the client is gone (then stop writing).
  Task<bool> write_chunk(std::string_view data);
  Task<bool> end_stream();

 private:
  template <class Buffers>
  Task<bool> write(const Buffers& buffers);

  TcpSocket& socket_;
  IoDeadline& deadline_;
  http::request<http::string_body>& request_;
  std::chrono::milliseconds write_timeout_;
  bool keep_alive_;
  bool responded_ = false;
  unsigned status_ = 0;
  std::optional<std::chrono::steady_clock::time_point> first_data_at_;
};

}  // namespace switchyard
