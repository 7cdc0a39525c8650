#pragma once
// One HTTP exchange with an upstream: send the request on a pooled connection, wait for the
// response header within the first-byte timeout, then read the body whole or piece by piece
// (chunked encoding decoded). The connection goes back to the pool only when the response was
// read to its end.
#include <memory>
#include <optional>
#include <string>

#include "core/config.h"
#include "core/error.h"
#include "providers/provider_adapter.h"
#include "upstream/connection_pool.h"

namespace switchyard {

class UpstreamCall {
 public:
  UpstreamCall(Executor executor, const UpstreamEndpoint& endpoint, const Timeouts& timeouts);
  ~UpstreamCall();
  UpstreamCall(const UpstreamCall&) = delete;
  UpstreamCall& operator=(const UpstreamCall&) = delete;

  // Sends `request` (with Host and Content-Length added) and reads the response header. A
  // connection taken from the pool that turns out closed by the peer is replaced once.
  Task<std::optional<Error>> send(const UpstreamRequest& request);

  // Valid once send() succeeded.
  int status() const { return parser_->get().result_int(); }
  // The status when a response header was read, else 0.
  int status_if_any() const { return parser_ && parser_->is_header_done() ? parser_->get().result_int() : 0; }
  const http::response_header<>& header() const { return parser_->get().base(); }

  // Next piece of the body; an empty view means the body is complete.
  Task<std::pair<std::optional<Error>, std::string_view>> read_some();
  // The rest of the body, appended to `out`; an upstream_failed Error naming `limit` when the body
  // is longer (the connection is then not reused).
  Task<std::optional<Error>> read_all(std::string& out, std::size_t limit);

  // Drops the connection now (the client went away): a pending send or read fails at once.
  void abort();

 private:
  Task<std::optional<Error>> try_send(const UpstreamRequest& request, bool& stale);
  // The next read must finish within `wait` (first byte or idle gap), and within the total.
  void arm_read_deadline(std::chrono::milliseconds wait);
  Error read_error(const error_code& ec, const char* what) const;

  Executor executor_;
  const UpstreamEndpoint& endpoint_;
  const Timeouts& timeouts_;
  std::chrono::steady_clock::time_point deadline_;
  std::string head_;  // the request's head, written before its body
  std::unique_ptr<UpstreamConnection> connection_;
  std::optional<http::response_parser<http::buffer_body>> parser_;
  std::array<char, 16384> chunk_;
};

}  // namespace switchyard
