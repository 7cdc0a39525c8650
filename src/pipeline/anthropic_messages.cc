#include "pipeline/anthropic_messages.h"

#include <boost/json.hpp>

#include "pipeline/client_format.h"
#include "pipeline/proxy.h"
#include "pipeline/responses.h"
#include "routing/router.h"
#include "translate/anthropic_inbound.h"
#include "translate/errors.h"
#include "translate/json_fields.h"
#include "upstream/upstream_call.h"

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

// The estimate for providers that cannot count: about four characters of text per token, over
// the system prompt, the messages and the tool definitions.
std::string token_count_body(const boost::json::object& request) {
  std::size_t chars = 0;
  for (std::string_view key : {"system", "messages", "tools"})
    if (auto* v = request.if_contains(key)) chars += boost::json::serialize(*v).size();
  return boost::json::serialize(boost::json::object{{"input_tokens", static_cast<int64_t>((chars + 3) / 4)}});
}

}  // namespace

Task<> count_anthropic_tokens(RequestContext& context, Exchange& exchange) {
  const ClientFormat& client = anthropic_client();
  std::string& raw = exchange.request().body();
  boost::system::error_code ec;
  auto body = boost::json::parse(raw, ec);
  if (ec || !body.is_object() || !body.get_object().contains("messages")) {
    co_await exchange.respond(client.error_response(context.id, make_error(ErrorKind::bad_request, "messages: Field required")));
    co_return;
  }
  // An Anthropic provider counts for itself; for any other the estimate stands in.
  std::string_view model = json_fields::string_field(body.get_object(), "model");
  auto planned = plan_route(*context.config, model);
  const Candidate* anthropic = nullptr;
  if (auto* plan = std::get_if<RoutePlan>(&planned))
    if (!plan->candidates.empty() && plan->candidates.front().provider->type == ProviderType::anthropic)
      anthropic = &plan->candidates.front();
  auto location = locate_model_token(raw);
  if (!anthropic || !location) {
    co_await exchange.respond(json_response(context.id, 200, token_count_body(body.get_object())));
    co_return;
  }
  ClientRequest request{OpenAIEndpoint::chat_completions, raw, RequestView{std::string(model), false, false, location->first, location->second}, std::nullopt};
  auto built = std::get<UpstreamRequest>(client.native_request(request, *anthropic));
  built.target += "/count_tokens";
  UpstreamCall call(co_await net::this_coro::executor, anthropic->provider->endpoint, context.config->timeouts);
  std::string answer;
  std::optional<Error> error = co_await call.send(built);
  if (!error) error = co_await call.read_all(answer, 1 << 20);
  if (!error && call.status() >= 300) error = upstream_status_error(anthropic->provider->name, call.status(), upstream_error_message(answer));
  if (error) {
    co_await exchange.respond(client.error_response(context.id, *error));
    co_return;
  }
  co_await exchange.respond(json_response(context.id, 200, std::move(answer)));
}

}  // namespace switchyard
