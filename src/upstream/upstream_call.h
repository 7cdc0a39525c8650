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
#include "upstream/connection_pool.h"
#include "upstream/transport.h"

namespace switchyard {

class UpstreamCall final : public UpstreamExchange {
 public:
  UpstreamCall(Executor executor, const UpstreamEndpoint& endpoint, const Timeouts& timeouts);
  ~UpstreamCall();
  UpstreamCall(const UpstreamCall&) = delete;
  UpstreamCall& operator=(const UpstreamCall&) = delete;

  // Sends `request` (with Host and Content-Length added) and reads the response header. A
  // connection taken from the pool that turns out closed by the peer is replaced once.
  Task<std::optional<Error>> send(const UpstreamRequest& request) override;

  int status() const override { return parser_->get().result_int(); }
  int status_if_any() const override { return parser_ && parser_->is_header_done() ? parser_->get().result_int() : 0; }
  const http::response_header<>& header() const override { return parser_->get().base(); }

  Task<std::pair<std::optional<Error>, std::string_view>> read_some() override;
  // A body over `limit` leaves the connection unused (it is not read to its end).
  Task<std::optional<Error>> read_all(std::string& out, std::size_t limit) override;

  void abort() override;

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
  bool aborted_ = false;
};

}  // namespace switchyard
