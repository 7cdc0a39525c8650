#include "pipeline/count_tokens.h"

#include <boost/json.hpp>
#include <functional>

#include "pipeline/client_format.h"
#include "pipeline/responses.h"
#include "providers/gemini/gemini_adapter.h"
#include "routing/router.h"
#include "translate/anthropic_inbound.h"
#include "translate/errors.h"
#include "translate/gemini_request.h"
#include "translate/json_fields.h"
#include "translate/json_parse.h"
#include "upstream/transport.h"

namespace switchyard {
namespace json = boost::json;
namespace {

std::string count_body(int64_t tokens) { return serialize_json(json::object{{"input_tokens", tokens}}); }

// The estimate for providers that cannot count: about four characters of text per token, over
// the system prompt, the messages and the tool definitions.
int64_t estimate(const json::object& request) {
  std::size_t chars = 0;
  for (std::string_view key : {"system", "messages", "tools"})
    if (auto* v = request.if_contains(key)) chars += serialize_json(*v).size();
  return static_cast<int64_t>((chars + 3) / 4);
}

// A provider's own count: the request that asks for it, and where the answer says it.
struct ProviderCount {
  UpstreamRequest request;
  std::string_view count_field;
};

std::optional<ProviderCount> provider_count(const Candidate& candidate, const MessagesRequest& messages) {
  const ProviderConfig& provider = *candidate.provider;
  if (provider.type == ProviderType::anthropic) {
    std::string body = serialize_json(messages.request);
    auto location = locate_model_token(body);  // may grow `body`: view it only after
    if (std::holds_alternative<Error>(location)) return std::nullopt;
    ClientRequest request{OpenAIEndpoint::chat_completions, body, messages.view, std::nullopt};
    std::tie(request.view.model_offset, request.view.model_length) = std::get<0>(location);
    auto built = anthropic_client().native_request(request, candidate);
    auto* upstream = std::get_if<UpstreamRequest>(&built);
    if (!upstream) return std::nullopt;
    upstream->target += "/count_tokens";
    return ProviderCount{std::move(*upstream), "input_tokens"};
  }
  if (provider.type == ProviderType::gemini) {
    auto openai = openai_request_from_anthropic(messages.request);
    if (!std::holds_alternative<json::object>(openai)) return std::nullopt;
    auto generate = gemini_request_from_openai(std::get<json::object>(openai));
    if (!std::holds_alternative<json::object>(generate)) return std::nullopt;
    auto& request = std::get<json::object>(generate);
    request["model"] = "models/" + candidate.upstream_model;
    return ProviderCount{gemini_request(provider, candidate.upstream_model, "countTokens",
                                        serialize_json(json::object{{"generateContentRequest", std::move(request)}})),
                         "totalTokens"};
  }
  return std::nullopt;
}

}  // namespace

Task<> count_anthropic_tokens(RequestContext& context, const Services& services, Exchange& exchange) {
  const ClientFormat& client = anthropic_client();
  // A count request is a messages request without max_tokens: validated as one.
  boost::system::error_code ec;
  json::value body = parse_json(exchange.request().body(), ec);
  if (!ec && body.is_object() && !body.get_object().contains("max_tokens")) body.get_object()["max_tokens"] = 1;
  std::string checked = ec ? exchange.request().body() : serialize_json(body);
  auto parsed = parse_messages_request(checked);
  if (auto* error = std::get_if<Error>(&parsed)) {
    co_await exchange.respond(client.error_response(context.id, *error));
    co_return;
  }
  auto& messages = std::get<MessagesRequest>(parsed);
  messages.request.erase("max_tokens");

  auto planned = plan_route(*context.config, RouteRequest{messages.view.model, {}, {}, {}},
                            RouteSignals{services.draw, services.latency});
  const Candidate* candidate = nullptr;
  if (auto* plan = std::get_if<RoutePlan>(&planned); plan && !plan->candidates.empty())
    candidate = &plan->candidates.front();
  auto counted = candidate ? provider_count(*candidate, messages) : std::nullopt;
  if (!counted) {
    co_await exchange.respond(json_response(context.id, 200, count_body(estimate(messages.request))));
    co_return;
  }

  auto call = services.upstream.open(co_await net::this_coro::executor, candidate->provider->endpoint,
                                     candidate->provider->timeouts);
  std::string answer;
  std::optional<Error> error = co_await call->send(counted->request);
  if (!error) error = co_await call->read_all(answer, 1 << 20);
  if (!error && call->status() >= 300)
    error = upstream_status_error(candidate->provider->name, call->status(), upstream_error_message(answer));
  json::value reply = error ? json::value() : parse_json(answer, ec);
  if (!error && (ec || !reply.is_object() || !reply.get_object().contains(counted->count_field)))
    error = malformed_answer("no token count");
  if (error) {
    redact(error->message, candidate->provider->api_key);
    co_await exchange.respond(client.error_response(context.id, *error));
    co_return;
  }
  co_await exchange.respond(
      json_response(context.id, 200, count_body(json_fields::int_field(reply.get_object(), counted->count_field))));
}

}  // namespace switchyard
