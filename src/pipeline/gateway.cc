#include "pipeline/gateway.h"

#include <boost/json.hpp>
#include <chrono>

#include "core/request_context.h"
#include "core/request_id.h"
#include "pipeline/accounting.h"
#include "pipeline/admin_api.h"
#include "pipeline/admit.h"
#include "pipeline/auth.h"
#include "pipeline/client_format.h"
#include "pipeline/count_tokens.h"
#include "pipeline/dashboard.h"
#include "pipeline/endpoints.h"
#include "pipeline/proxy.h"
#include "pipeline/records_api.h"
#include "pipeline/responses.h"
#include "pipeline/stored_responses.h"
#include "telemetry/trace_context.h"
#include "translate/client_text.h"
#include "translate/json_parse.h"

namespace switchyard {
namespace {

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

// GET /v1/models/{id}: the id percent-decoded (SDKs send "sim%2Fecho"); in Anthropic's shape (and
// its errors) when the request carries anthropic-version.
http::response<http::string_body> model_entry(const std::string& request_id, const ModelCatalogue& models,
                                              const http::request<http::string_body>& request) {
  const bool anthropic = !request["anthropic-version"].empty();
  std::string_view rest = path_of(request.target()).substr(std::string_view("/v1/models/").size());
  auto id = percent_decode(rest);
  if (auto entry = id ? models.entry(*id, anthropic) : std::nullopt) return json_response(request_id, 200, *entry);
  Error error = make_error(
      ErrorKind::not_found,
      "The model '" + valid_utf8(id.value_or(std::string(rest))) + "' does not exist or is not served by this gateway",
      "model");
  error.code = "model_not_found";
  return (anthropic ? anthropic_client() : openai_client()).error_response(request_id, error);
}

// The LanguageModel specification version an @ai-sdk/gateway major expects in /config (its schema
// takes only its own): told by its user agent "ai-sdk-gateway/<major>" (1: v2, 2 and 3: v3, 4
// and later: v4), else by the base path it calls (/v1/ai: v2, /v3/ai: v3, /v4/ai: v4).
std::string_view ai_sdk_specification(std::string_view user_agent, std::string_view path) {
  constexpr std::string_view kAgent = "ai-sdk-gateway/";
  if (std::size_t at = user_agent.find(kAgent);
      at != std::string_view::npos && at + kAgent.size() < user_agent.size()) {
    const char major = user_agent[at + kAgent.size()];
    const bool one_digit = at + kAgent.size() + 1 >= user_agent.size() || user_agent[at + kAgent.size() + 1] == '.';
    if (major == '1' && one_digit) return "v2";
    if ((major == '2' || major == '3') && one_digit) return "v3";
    return "v4";
  }
  return path.starts_with("/v1/") ? "v2" : path.starts_with("/v3/") ? "v3" : "v4";
}

}  // namespace

Gateway::Gateway(std::shared_ptr<const Config> config, const Records* records, Services services)
    : records_(records), services_(std::move(services)) {
  reload(std::move(config));
}

void Gateway::reload(std::shared_ptr<const Config> config) {
  ModelCatalogue models(*config);
  snapshot_.store(std::make_shared<const Snapshot>(Snapshot{std::move(config), std::move(models)}));
}

http::response<http::string_body> Gateway::render_error(const Error& error,
                                                        const http::request_header<>& header) const {
  return client_for_path(path_of(header.target())).error_response(new_request_id(), error);
}

Task<> Gateway::handle(Exchange& exchange) {
  RequestContext context;
  context.id = new_request_id();
  const std::shared_ptr<const Snapshot> snapshot = snapshot_.load();
  context.config = snapshot->config;
  auto& request = exchange.request();
  std::string_view path = path_of(request.target());
  const bool is_get = request.method() == http::verb::get || request.method() == http::verb::head;

  if (auto asset = dashboard_asset(path); asset && is_get) {
    http::response<http::string_body> response{http::status::ok, 11};
    response.set(http::field::content_type, asset->content_type);
    response.set(http::field::cache_control, "no-cache");
    response.body() = asset->body;
    co_await exchange.respond(std::move(response));
    co_return;
  }
  const Endpoint* endpoint = find_endpoint(path, request.method());
  if (!endpoint) {
    const bool printable = !check_client_text(path, "path", 256);
    Error error = make_error(ErrorKind::not_found,
                             "no endpoint " + (printable ? std::string(path) : "at this path") + " on this gateway");
    error.code = "unknown_url";  // OpenAI's code for a path it does not serve (not a missing model)
    co_await exchange.respond(client_for_path(path).error_response(context.id, error));
    co_return;
  }
  const ClientFormat& client = *endpoint->client;
  if (beast::iequals(request[http::field::upgrade], "websocket")) {
    // Codex tries the Responses API over a WebSocket when a provider says it can; 426 is the
    // answer that makes it fall back to HTTP at once, with no retries.
    auto error =
        make_error(ErrorKind::bad_request, "this gateway serves " + std::string(path) +
                                               " over HTTP only, not over WebSocket: POST the request instead");
    error.status = 426;
    error.code = "websocket_not_supported";
    co_await exchange.respond(client.error_response(context.id, error));
    co_return;
  }
  if (endpoint->method == http::verb::get ? !is_get : request.method() != endpoint->method) {
    auto error = make_error(ErrorKind::method_not_allowed,
                            std::string(request.method_string()) + " is not allowed on " + std::string(path));
    auto response = client.error_response(context.id, error);
    response.set(http::field::allow, endpoint->method == http::verb::get ? "GET, HEAD" : "POST");
    co_await exchange.respond(std::move(response));
    co_return;
  }

  // The path as records keep it: a client's bytes (Google's paths name the model), so when they are
  // not printable UTF-8 of at most 256 bytes the row's pattern stands in.
  context.endpoint = check_client_text(path, "path", 256) ? endpoint->path : path;
  const bool proxied = endpoint->serves == Serves::proxy;
  if (proxied) start_trace_of(context, request);
  if (endpoint->authenticated) {  // the authenticate phase
    auto identity = authenticate(*context.config, services_.keys.snapshot(), request, services_.wall_ms());
    if (auto* error = std::get_if<Error>(&identity)) {
      if (proxied) note_rejection(context, *error);
      co_await exchange.respond(client.error_response(context.id, *error));
      record(context, exchange);
      co_return;
    }
    context.client = std::get<ClientIdentity>(std::move(identity));
  }
  if (endpoint->reads_records && !records_) {
    co_await exchange.respond(
        client.error_response(context.id, make_error(ErrorKind::unavailable, "accounting is off")));
    co_return;
  }
  switch (endpoint->serves) {
    case Serves::health: co_await exchange.respond(json_response(context.id, 200, R"({"status":"ok"})")); break;
    case Serves::metrics: {
      http::response<http::string_body> response{http::status::ok, 11};
      response.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
      response.body() = (records_ ? records_->recorder.metrics().render() : "") + services_.governor.render_metrics() +
                        rejections_.render_metrics() + (services_.spans ? services_.spans->render_metrics() : "") +
                        render_cache_metrics(services_.caches);
      co_await exchange.respond(std::move(response));
      break;
    }
    case Serves::models:
      co_await exchange.respond(
          json_response(context.id, 200, snapshot->models.list(!request["anthropic-version"].empty())));
      break;
    case Serves::model: co_await exchange.respond(model_entry(context.id, snapshot->models, request)); break;
    case Serves::generation: co_await generation_api(context, exchange, *records_); break;
    case Serves::credits: co_await credits_api(context, exchange, *records_); break;
    case Serves::admin: co_await admin_api(context, exchange, *records_, services_); break;
    case Serves::ai_gateway_config:
      co_await exchange.respond(json_response(
          context.id, 200,
          snapshot->models.ai_gateway_config(ai_sdk_specification(request[http::field::user_agent], path))));
      break;
    case Serves::report: co_await report_api(context, exchange, *records_); break;
    case Serves::insights: co_await insights_api(context, exchange, *records_); break;
    case Serves::logs: co_await logs_api(context, exchange, *records_); break;
    case Serves::timeseries: co_await timeseries_api(context, exchange, *records_); break;
    case Serves::count_tokens: co_await count_anthropic_tokens(context, services_, exchange); break;
    case Serves::gemini_count_tokens: co_await count_gemini_tokens(context, services_, exchange); break;
    case Serves::stored_response: co_await stored_response_api(context, exchange, *records_); break;
    case Serves::response_tokens: co_await response_tokens_api(context, exchange); break;
    case Serves::proxy: co_await serve_proxied(context, exchange, *endpoint); break;
  }
  record(context, exchange);
}

void Gateway::start_trace_of(RequestContext& context, const http::request_header<>& request) const {
  const auto incoming = parse_traceparent(request["traceparent"]);
  if (services_.spans)
    context.trace = start_trace(incoming, context.config->telemetry.sample_ratio);
  else if (incoming)  // not a participant: the client's traceparent goes upstream as it came
    context.trace = TraceContext{incoming->trace_id, incoming->span_id, std::nullopt, incoming->sampled};
}

void Gateway::record(const RequestContext& context, const Exchange& exchange) {
  if (!context.metered) return;
  const bool traced = services_.spans && context.trace && context.trace->sampled;
  // Refusals are recorded at a bounded rate (pipeline/rejections.h), and all counted.
  const bool keep = !context.rejection || rejections_.count(context.rejection->kind, services_.wall_ms());
  if (!(records_ && keep) && !traced) return;
  thread_local RecordView record;  // views of `context`: nothing copied, no allocation per request
  thread_local std::string scratch;
  view_record(context, exchange, record, scratch);
  if (records_ && keep) records_->recorder.submit(record);  // the record phase: one durable record
  if (traced) {
    thread_local std::vector<AttemptTrace> attempts;
    attempts.resize(context.attempts.size());
    for (std::size_t i = 0; i < context.attempts.size(); ++i) {
      auto provider = context.config->providers.find(context.attempts[i].provider);
      attempts[i] = {context.attempts[i].span_id,
                     provider == context.config->providers.end() ? "" : to_string(provider->second.type)};
    }
    services_.spans->submit(record, *context.trace, attempts);
  }
}

Task<> Gateway::serve_proxied(RequestContext& context, Exchange& exchange, const Endpoint& endpoint) {
  const ClientFormat& client = *endpoint.client;
  auto parsed = client.parse(exchange.request().body(), endpoint.api, exchange.request().base());  // the parse phase
  if (auto* error = std::get_if<Error>(&parsed)) {
    note_rejection(context, *error);
    co_await exchange.respond(client.error_response(context.id, *error));
    co_return;
  }
  if (endpoint.api == WireApi::responses) {  // the Responses API's stored conversations
    const RequestView& view = std::get<ClientRequest>(parsed).view;
    // item_reference: a prefilter on the bytes; the recall reads the items themselves.
    if (!view.previous_response_id.empty() ||
        exchange.request().body().find("\"item_reference\"") != std::string::npos) {
      const std::string previous = view.previous_response_id;
      GatewayOptions options = view.gateway;  // the first parse took them out of the body
      if (auto error = co_await continue_conversation(context, records_, exchange.request().body(), previous)) {
        note_rejection(context, *error, view.model);
        co_await exchange.respond(client.error_response(context.id, *error));
        co_return;
      }
      parsed = client.parse(exchange.request().body(), endpoint.api, exchange.request().base());
      if (auto* error = std::get_if<Error>(&parsed)) {
        note_rejection(context, *error);
        co_await exchange.respond(client.error_response(context.id, *error));
        co_return;
      }
      std::get<ClientRequest>(parsed).view.previous_response_id = previous;  // for the answer's echo
      std::get<ClientRequest>(parsed).view.gateway = std::move(options);
    }
    RequestView& view_now = std::get<ClientRequest>(parsed).view;
    view_now.store = view_now.store && records_ && context.config->store_responses;
    if (view_now.store) {
      context.keep_answer = [records = records_, &exchange](const RequestContext& kept, std::string_view answer) {
        keep_conversation(kept, *records, exchange.request().body(), answer);
      };
    }
  }
  ClientRequest& request = std::get<ClientRequest>(parsed);
  request.generation_id = context.id;
  // Who asks and how (user, tags, use case): on the record of a refusal by the admit phase too.
  if (auto error = begin_metering(context, exchange.request(), request.view)) {
    note_rejection(context, *error, request.view.model);
    co_await exchange.respond(client.error_response(context.id, *error));
    co_return;
  }
  Admission admission;
  const Settlement settlement(context, services_, admission);
  if (auto refused = co_await admit(context, services_, request, admission)) {  // the admit phase
    note_rejection(context, *refused, request.view.model);
    auto response = client.error_response(context.id, *refused);
    for (const auto& [name, value] : context.answer_headers) response.set(name, value);
    co_await exchange.respond(std::move(response));
    co_return;
  }
  co_await proxy(context, services_, exchange, client, request);  // route, attempt, relay, account
}

}  // namespace switchyard
