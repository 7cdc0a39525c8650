#include "upstream/upstream_call.h"

#include <fmt/format.h>

#include "server/message_head.h"

namespace switchyard {
namespace {

// A peer that closed an idle keep-alive connection shows up as one of these on first use.
bool is_stale_connection_error(const error_code& ec) {
  return ec == http::error::end_of_stream || ec == net::error::eof || ec == net::error::connection_reset ||
         ec == net::error::broken_pipe || ec == net::ssl::error::stream_truncated;
}

template <class Op>
auto on_stream(UpstreamConnection& connection, Op&& op) {
  return std::visit([&](auto& stream) { return op(stream); }, connection.stream);
}

}  // namespace

UpstreamCall::UpstreamCall(Executor executor, const UpstreamEndpoint& endpoint, const Timeouts& timeouts)
    : executor_(std::move(executor)),
      endpoint_(endpoint),
      timeouts_(timeouts),
      deadline_(std::chrono::steady_clock::now() + timeouts.total) {}

UpstreamCall::~UpstreamCall() {
  // Reuse the connection only when this response was consumed whole and the peer keeps it open.
  // Never one aborted or cut (its socket is closed, and its loop may be going away).
  if (connection_ && !aborted_ && connection_->socket().is_open() && parser_ && parser_->is_done() &&
      parser_->get().keep_alive())
    ConnectionPool::for_this_thread(executor_).release(std::move(connection_));
}

Error UpstreamCall::read_error(const error_code& ec, const char* what) const {
  if (connection_ && connection_->deadline.expired())
    return make_error(ErrorKind::upstream_timeout,
                      fmt::format("{}:{} timed out {}", endpoint_.host, endpoint_.port, what));
  return make_error(ErrorKind::upstream_unreachable,
                    fmt::format("{}:{} failed {}: {}", endpoint_.host, endpoint_.port, what, ec.message()));
}

void UpstreamCall::abort() {
  aborted_ = true;  // a connect still under way is checked when it completes
  if (!connection_) return;
  error_code ignored;
  connection_->socket().close(ignored);
}

void UpstreamCall::arm_read_deadline(std::chrono::milliseconds wait) {
  auto next = std::min(std::chrono::steady_clock::now() + wait, deadline_);
  connection_->deadline.expires_at(next);
}

Task<std::optional<Error>> UpstreamCall::send(const UpstreamRequest& request) {
  // The last guard before the wire: a target that could split the request is never sent.
  if (!is_head_safe(request.target) || request.target.find(' ') != std::string::npos)
    co_return make_error(ErrorKind::internal,
                         "the upstream request target holds a character a request line cannot carry");
  head_ = request_head(http::to_string(request.method), request.target, endpoint_.host_header, request.header_lines,
                       request.body.size());
  bool stale = false;
  auto error = co_await try_send(request, stale);
  if (error && stale) error = co_await try_send(request, stale);
  co_return error;
}

Task<std::optional<Error>> UpstreamCall::try_send(const UpstreamRequest& request, bool& stale) {
  stale = false;
  auto& pool = ConnectionPool::for_this_thread(executor_);
  connection_ = pool.take_idle(endpoint_);
  if (!connection_) {
    auto connect_budget =
        std::min(timeouts_.connect,
                 std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - std::chrono::steady_clock::now()));
    auto [error, connection] = co_await pool.connect(endpoint_, connect_budget);
    if (error) co_return error;
    if (aborted_) co_return make_error(ErrorKind::upstream_unreachable, "aborted before the request was sent");
    connection_ = std::move(connection);
  }
  parser_.emplace();
  parser_->body_limit(boost::none);

  arm_read_deadline(timeouts_.first_byte);
  std::array<net::const_buffer, 2> message{net::buffer(head_), net::buffer(request.body)};
  auto [write_ec, written] =
      co_await on_stream(*connection_, [&](auto& stream) { return net::async_write(stream, message, use_tuple); });
  if (!write_ec) {  // the deadline armed above covers the write and the wait for the header
    auto [read_ec, n] = co_await on_stream(*connection_, [&](auto& stream) {
      return http::async_read_header(stream, connection_->buffer, *parser_, use_tuple);
    });
    write_ec = read_ec;
  }
  if (write_ec) {
    stale = connection_->reused && is_stale_connection_error(write_ec);
    Error error = read_error(write_ec, "before answering");
    connection_.reset();
    co_return error;
  }
  co_return std::nullopt;
}

Task<std::pair<std::optional<Error>, std::string_view>> UpstreamCall::read_some() {
  if (aborted_)
    co_return std::pair{std::optional<Error>(make_error(ErrorKind::upstream_unreachable, "aborted")),
                        std::string_view{}};
  while (!parser_->is_done()) {
    parser_->get().body().data = chunk_.data();
    parser_->get().body().size = chunk_.size();
    arm_read_deadline(timeouts_.idle);
    auto [ec, n] = co_await on_stream(*connection_, [&](auto& stream) {
      return http::async_read_some(stream, connection_->buffer, *parser_, use_tuple);
    });
    if (ec == http::error::need_buffer) ec = {};
    if (ec) {
      Error error = read_error(ec, "in the middle of its answer");
      connection_.reset();
      co_return std::pair{std::optional<Error>(std::move(error)), std::string_view{}};
    }
    std::size_t got = chunk_.size() - parser_->get().body().size;
    if (got > 0) co_return std::pair{std::optional<Error>{}, std::string_view(chunk_.data(), got)};
  }
  co_return std::pair{std::optional<Error>{}, std::string_view{}};
}

Task<std::optional<Error>> UpstreamCall::read_all(std::string& out, std::size_t limit) {
  // A declared length is a hint, not a promise: never reserve more than a modest amount ahead.
  constexpr std::uint64_t kMaxReserve = 1u << 20;
  if (auto length = parser_->content_length())
    out.reserve(out.size() + std::min<std::uint64_t>({*length, limit, kMaxReserve}));
  co_return co_await UpstreamExchange::read_all(out, limit);
}

}  // namespace switchyard
