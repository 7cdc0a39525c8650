#include "pipeline/anthropic_messages.h"

#include <boost/json.hpp>

#include "pipeline/client_format.h"
#include "pipeline/proxy.h"
#include "pipeline/responses.h"
#include "translate/anthropic_inbound.h"

namespace switchyard {

Task<> proxy_anthropic(RequestContext& context, Exchange& exchange) {
  const ClientFormat& client = anthropic_client();
  auto parsed = parse_messages_request(exchange.request().body());
  if (auto* error = std::get_if<Error>(&parsed)) {
    co_await exchange.respond(client.error_response(context.id, *error));
    co_return;
  }
  auto& messages = std::get<MessagesRequest>(parsed);
  auto openai = openai_request_from_anthropic(messages.request);
  if (auto* error = std::get_if<Error>(&openai)) {
    co_await exchange.respond(client.error_response(context.id, *error));
    co_return;
  }
  ClientRequest request{OpenAIEndpoint::chat_completions, exchange.request().body(), messages.view,
                        boost::json::value(std::get<boost::json::object>(std::move(openai)))};
  request.view.include_usage = request.view.stream;
  co_await proxy(context, exchange, client, request);
}

}  // namespace switchyard
