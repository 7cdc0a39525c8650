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

namespace {

// An estimate, the same for every provider: about four characters of text per token, counted
// over the system prompt, the messages and the tool definitions.
std::string token_count_body(const boost::json::object& request) {
  std::size_t chars = 0;
  for (std::string_view key : {"system", "messages", "tools"})
    if (auto* v = request.if_contains(key)) chars += boost::json::serialize(*v).size();
  return boost::json::serialize(boost::json::object{{"input_tokens", static_cast<int64_t>((chars + 3) / 4)}});
}

}  // namespace

Task<> count_anthropic_tokens(RequestContext& context, Exchange& exchange) {
  boost::system::error_code ec;
  auto body = boost::json::parse(exchange.request().body(), ec);
  if (ec || !body.is_object() || !body.get_object().contains("messages")) {
    co_await exchange.respond(anthropic_client().error_response(
        context.id, make_error(ErrorKind::bad_request, "messages: Field required")));
    co_return;
  }
  co_await exchange.respond(json_response(context.id, 200, token_count_body(body.get_object())));
}

}  // namespace switchyard
