#include "upstream/transport.h"

#include <fmt/format.h>

#include "upstream/upstream_call.h"

namespace switchyard {
namespace {

class PooledTransport final : public UpstreamTransport {
 public:
  std::unique_ptr<UpstreamExchange> open(Executor executor, const UpstreamEndpoint& endpoint,
                                         const Timeouts& timeouts) override {
    return std::make_unique<UpstreamCall>(std::move(executor), endpoint, timeouts);
  }
};

}  // namespace

Task<std::optional<Error>> UpstreamExchange::read_all(std::string& out, std::size_t limit) {
  for (;;) {
    auto [error, piece] = co_await read_some();
    if (error) co_return error;
    if (piece.empty()) co_return std::nullopt;
    if (out.size() + piece.size() > limit)
      co_return make_error(ErrorKind::upstream_failed, fmt::format("upstream answer exceeds {} bytes", limit));
    out.append(piece);
  }
}

UpstreamTransport& pooled_transport() {
  static PooledTransport transport;
  return transport;
}

}  // namespace switchyard
