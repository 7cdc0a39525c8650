#pragma once
// The upstream behind one interface: the attempt loop asks a transport for an exchange with a
// provider's endpoint and never touches sockets itself, so tests script what upstreams answer.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/config.h"
#include "core/error.h"
#include "server/asio.h"
#include "upstream/upstream_request.h"

namespace switchyard {

// One HTTP exchange with an upstream: send, then read the answer's body whole or piece by piece.
class UpstreamExchange {
 public:
  virtual ~UpstreamExchange() = default;
  // Sends `request` and reads the response header.
  virtual Task<std::optional<Error>> send(const UpstreamRequest& request) = 0;
  // The status and header; valid once send() succeeded.
  virtual int status() const = 0;
  virtual const http::response_header<>& header() const = 0;
  // The status when a response header was read, else 0.
  virtual int status_if_any() const = 0;
  // Next piece of the body; an empty view means the body is complete. The view stays valid
  // until the next call.
  virtual Task<std::pair<std::optional<Error>, std::string_view>> read_some() = 0;
  // The rest of the body, appended to `out`; an upstream_failed Error naming `limit` when the
  // body is longer.
  virtual Task<std::optional<Error>> read_all(std::string& out, std::size_t limit);
  // Drops the exchange now (the client went away): a pending send or read fails at once.
  virtual void abort() = 0;
};

class UpstreamTransport {
 public:
  virtual ~UpstreamTransport() = default;
  virtual std::unique_ptr<UpstreamExchange> open(Executor executor, const UpstreamEndpoint& endpoint,
                                                 const Timeouts& timeouts) = 0;
};

// The real one: HTTP/1.1 over the calling thread's connection pool (UpstreamCall).
UpstreamTransport& pooled_transport();

}  // namespace switchyard
