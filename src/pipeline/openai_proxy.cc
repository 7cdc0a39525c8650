#include "pipeline/openai_proxy.h"

#include "pipeline/client_format.h"
#include "pipeline/proxy.h"
#include "pipeline/responses.h"

namespace switchyard {

Task<> proxy_openai(RequestContext& context, Exchange& exchange, OpenAIEndpoint endpoint) {
  auto parsed = parse_openai_request(exchange.request().body(), endpoint);
  if (auto* error = std::get_if<Error>(&parsed)) {
    co_await exchange.respond(openai_error_response(context.id, *error));
    co_return;
  }
  RequestView& view = std::get<RequestView>(parsed);
  if (needs_upstream_rewrite(view, endpoint))
    if (auto error = rewrite_for_upstream(exchange.request().body(), endpoint, view)) {
      co_await exchange.respond(openai_error_response(context.id, *error));
      co_return;
    }
  ClientRequest request{endpoint, exchange.request().body(), std::move(view), std::nullopt};
  co_await proxy(context, exchange, openai_client(), request);
}

}  // namespace switchyard
