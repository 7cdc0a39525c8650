#include "pipeline/count_tokens.h"

#include <boost/json.hpp>

#include "pipeline/client_format.h"
#include "pipeline/gemini_path.h"
#include "pipeline/responses.h"
#include "providers/anthropic/anthropic_adapter.h"
#include "providers/gemini/gemini_adapter.h"
#include "routing/router.h"
#include "translate/anthropic_inbound.h"
#include "translate/anthropic_request.h"
#include "translate/client_text.h"
#include "translate/errors.h"
#include "translate/gemini_inbound.h"
#include "translate/gemini_request.h"
#include "translate/json_fields.h"
#include "translate/json_parse.h"
#include "upstream/transport.h"

namespace switchyard {
namespace json = boost::json;
namespace {

// A count asked in one client's API.
struct CountQuery {
  const ClientFormat& client;
  std::string model;
  json::object chat;              // the request in OpenAI chat form
  ProviderType native_type;       // the provider type that takes `native` as it is
  json::object native;            // the client's own request, without max_tokens
  std::string_view answer_field;  // where the client reads the count
  std::string_view beta = {};     // Anthropic's anthropic-beta, for an Anthropic provider's count
};

// The estimate for providers that cannot count: about four characters of text per token, over
// the messages and the tool definitions.
int64_t estimate(const json::object& chat) {
  std::size_t chars = 0;
  for (std::string_view key : {"messages", "tools"})
    if (auto* v = chat.if_contains(key)) chars += serialize_json(*v).size();
  return static_cast<int64_t>((chars + 3) / 4);
}

// A provider's own count: the request that asks for it, and where the answer says it.
struct ProviderCount {
  UpstreamRequest request;
  std::string_view count_field;
};

std::optional<ProviderCount> provider_count(const Candidate& candidate, const CountQuery& query) {
  const ProviderConfig& provider = *candidate.provider;
  const bool native = provider.type == query.native_type;
  if (provider.type == ProviderType::anthropic) {
    auto body = native ? std::variant<json::object, Error>(query.native)
                       : anthropic_request_from_openai(query.chat, candidate.upstream_model);
    auto* messages = std::get_if<json::object>(&body);
    if (!messages) return std::nullopt;
    (*messages)["model"] = candidate.upstream_model;
    messages->erase("max_tokens");
    messages->erase("stream");
    UpstreamRequest request = anthropic_messages_request(provider, false, serialize_json(*messages), query.beta);
    request.target += "/count_tokens";
    return ProviderCount{std::move(request), "input_tokens"};
  }
  if (provider.type == ProviderType::gemini) {
    auto body = native ? std::variant<json::object, Error>(query.native) : gemini_request_from_openai(query.chat);
    auto* generate = std::get_if<json::object>(&body);
    if (!generate) return std::nullopt;
    (*generate)["model"] = "models/" + candidate.upstream_model;
    return ProviderCount{gemini_request(provider, candidate.upstream_model, "countTokens",
                                        serialize_json(json::object{{"generateContentRequest", std::move(*generate)}})),
                         "totalTokens"};
  }
  return std::nullopt;
}

Task<> answer_count(RequestContext& context, const Services& services, Exchange& exchange, const CountQuery& query) {
  auto reply = [&](int64_t tokens) {
    return json_response(context.id, 200, serialize_json(json::object{{query.answer_field, tokens}}));
  };
  auto planned =
      plan_route(*context.config, RouteRequest{query.model, {}, {}, {}}, RouteSignals{services.draw, services.latency});
  const Candidate* candidate = nullptr;
  if (auto* plan = std::get_if<RoutePlan>(&planned); plan && !plan->candidates.empty())
    candidate = &plan->candidates.front();
  auto counted = candidate ? provider_count(*candidate, query) : std::nullopt;
  if (!counted) {
    co_await exchange.respond(reply(estimate(query.chat)));
    co_return;
  }

  auto call = services.upstream.open(co_await net::this_coro::executor, candidate->provider->endpoint,
                                     candidate->provider->timeouts);
  std::string answer;
  std::optional<Error> error = co_await call->send(counted->request);
  if (!error) error = co_await call->read_all(answer, 1 << 20);
  if (!error && call->status() >= 300)
    error = upstream_status_error(candidate->provider->name, call->status(), upstream_error_message(answer));
  boost::system::error_code ec;
  json::value counts = error ? json::value() : parse_json(answer, ec);
  if (!error && (ec || !counts.is_object() || !counts.get_object().contains(counted->count_field)))
    error = malformed_answer("no token count");
  if (error) {
    redact(error->message, candidate->provider->api_key);
    co_await exchange.respond(query.client.error_response(context.id, *error));
    co_return;
  }
  co_await exchange.respond(reply(json_fields::int_field(counts.get_object(), counted->count_field)));
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
  std::string_view beta = exchange.request()["anthropic-beta"];
  if (auto error = check_client_text(beta, "anthropic-beta", 2048)) {
    co_await exchange.respond(client.error_response(context.id, *error));
    co_return;
  }
  auto chat = openai_request_from_anthropic(messages.request);
  if (auto* error = std::get_if<Error>(&chat)) {
    co_await exchange.respond(client.error_response(context.id, *error));
    co_return;
  }
  messages.request.erase("max_tokens");
  // A named local, not a temporary: g++ 12 mishandles temporaries that live across a co_await.
  const CountQuery query{client,
                         messages.view.model,
                         std::move(std::get<json::object>(chat)),
                         ProviderType::anthropic,
                         std::move(messages.request),
                         "input_tokens",
                         beta};
  co_await answer_count(context, services, exchange, query);
}

Task<> count_gemini_tokens(RequestContext& context, const Services& services, Exchange& exchange) {
  const ClientFormat& client = gemini_client();
  auto refuse = [&](const Error& error) { return exchange.respond(client.error_response(context.id, error)); };
  auto call = read_gemini_path(exchange.request().target());
  if (auto* error = std::get_if<Error>(&call)) {
    co_await refuse(*error);
    co_return;
  }
  // {contents, ...} or {generateContentRequest: {model, contents, ...}}, the two forms Google takes.
  boost::system::error_code ec;
  json::value body = parse_json(exchange.request().body(), ec);
  json::object* request = !ec && body.is_object() ? &body.get_object() : nullptr;
  if (auto* inner = request ? request->if_contains("generateContentRequest") : nullptr) request = inner->if_object();
  if (!request) {
    co_await refuse(make_error(ErrorKind::bad_request,
                               "the request body must be a JSON object with contents or a generateContentRequest"));
    co_return;
  }
  request->erase("model");
  const std::string model = std::get<GeminiCall>(call).model;
  auto chat = chat_from_gemini(*request, model, false);
  if (auto* error = std::get_if<Error>(&chat)) {
    co_await refuse(*error);
    co_return;
  }
  const CountQuery query{
      client, model, std::move(std::get<json::object>(chat)), ProviderType::gemini, std::move(*request), "totalTokens"};
  co_await answer_count(context, services, exchange, query);
}

}  // namespace switchyard
