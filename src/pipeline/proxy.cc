#include "pipeline/proxy.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <deque>

#include "pipeline/accounting.h"
#include "pipeline/admit.h"
#include "pipeline/response_caching.h"
#include "pipeline/responses.h"
#include "pipeline/routing_metadata.h"
#include "providers/provider_adapter.h"
#include "routing/circuit_breaker.h"
#include "routing/context_fit.h"
#include "routing/failure_class.h"
#include "routing/latency_tracker.h"
#include "routing/retry_policy.h"
#include "routing/router.h"
#include "routing/rules.h"
#include "server/client_watch.h"
#include "server/message_head.h"
#include "translate/continuation_request.h"
#include "translate/errors.h"
#include "translate/sse_events.h"
#include "translate/sse_splitter.h"
#include "translate/stream_chain.h"
#include "translate/stream_splice.h"
#include "upstream/transport.h"

namespace switchyard {
namespace {

// Upstream headers worth passing to the client: rate-limit state and retry hints.
bool passed_to_client(std::string_view name) {
  return beast::iequals(name, "retry-after") ||
         (name.size() > 12 && beast::iequals(name.substr(0, 12), "x-ratelimit-"));
}

void copy_upstream_headers(const http::response_header<>& from, http::fields& to) {
  for (const auto& field : from)
    if (passed_to_client(field.name_string())) to.set(field.name_string(), field.value());
}

int64_t unix_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// An upstream answer that failed: kept whole so a final 4xx can go back exactly as it came.
struct RejectedAnswer {
  int status = 0;
  std::string body;
  http::fields headers;
  bool native = false;  // from a provider that speaks the client's format
};

// Which provider and model id served, and after how many upstream attempts: told in
// x-switchyard-provider, x-switchyard-model and x-switchyard-attempts on every answer.
struct Served {
  std::string_view provider;
  std::string_view model_id;
  std::size_t attempts = 0;
  const AnswerHeaders* governance = nullptr;  // the admit phase's (rate limits, budget flags)
};

// Whether `name` is one the gateway sets itself, over an upstream header of the same name.
bool set_by_gateway(const Served& served, std::string_view name) {
  if (!served.governance) return false;
  return std::any_of(served.governance->begin(), served.governance->end(),
                     [&](const auto& field) { return beast::iequals(field.first, name); });
}

// Calls f(name, value) for each routing header (none before any attempt was made) and each of
// the admit phase's.
template <class F>
void each_routing_header(const Served& served, F&& f) {
  if (served.governance)
    for (const auto& [name, value] : *served.governance) f(name, value);
  if (served.attempts == 0) return;
  f("x-switchyard-provider", served.provider);
  f("x-switchyard-model", served.model_id);
  f("x-switchyard-attempts", std::to_string(served.attempts));
}

void set_routing_headers(http::fields& fields, const Served& served) {
  each_routing_header(served, [&](std::string_view name, std::string_view value) { fields.set(name, value); });
}

// How one attempt's answer reaches the client: as it came (native), or translated.
struct Relay {
  const ClientFormat& client;
  const ProviderAdapter* adapter;  // null: the provider speaks the client's format
  const ClientRequest& request;    // what the client asked for
  Served served;
  std::optional<Price> price;  // of the route that served
  AnswerCapture* capture;      // gathers the answer for the response cache; null: not cached
};

// The bounds and the secret that apply while one attempt's answer is relayed.
struct RelayLimits {
  std::size_t max_body_bytes;
  std::size_t max_event_bytes;
  std::string_view secret;  // the provider key, redacted from any error that comes back
};

// `candidates` with those of a provider the request brings its own key for (by the provider's
// name, else its type) first, each pointing at a copy of its provider, kept in `copies`, that
// carries that key and is marked BYOK.
std::vector<Candidate> with_callers_keys(const std::vector<Candidate>& candidates, const GatewayOptions& options,
                                         std::deque<ProviderConfig>& copies) {
  if (options.byok.empty()) return candidates;
  auto key_for = [&](const ProviderConfig& provider) -> const std::string* {
    for (const auto& [name, key] : options.byok)
      if (name == provider.name) return &key;
    for (const auto& [name, key] : options.byok)
      if (name == to_string(provider.type)) return &key;
    return nullptr;
  };
  std::vector<Candidate> own, rest;
  for (const Candidate& candidate : candidates) {
    const std::string* key = key_for(*candidate.provider);
    if (!key) {
      rest.push_back(candidate);
      continue;
    }
    ProviderConfig& copy = copies.emplace_back(*candidate.provider);
    copy.api_key = *key;
    copy.byok = true;
    Candidate mine = candidate;
    mine.provider = &copy;
    own.push_back(std::move(mine));
  }
  own.insert(own.end(), rest.begin(), rest.end());
  return own;
}

// Why the caller's key or team may not use `provider` (their `providers` lists), if so.
std::optional<Error> provider_refused(const ClientIdentity& who, std::string_view provider) {
  for (const AccessPolicy* access : {who.key ? &who.key->access : nullptr, who.policy ? &who.policy->access : nullptr})
    if (access && !access->providers.empty() &&
        std::find(access->providers.begin(), access->providers.end(), provider) == access->providers.end())
      return make_error(ErrorKind::forbidden, fmt::format("this key may not use provider {}", provider), "model");
  return std::nullopt;
}

Error cancelled_by_client() { return make_error(ErrorKind::cancelled, "cancelled: the client went away"); }

Error cut_by_shutdown() {
  Error error = make_error(ErrorKind::unavailable, "the gateway is shutting down; the answer was cut short");
  error.retryable = false;
  return error;
}

// What became of one attempt's stream.
enum class StreamEnd {
  done,  // complete, or failed with the client told (its error event sent), or the client left
  cut,   // cut where a continuation can follow: the client's stream is still open, told nothing
};

// The client's side of a streamed answer, kept across the attempts that make it.
struct ClientStream {
  bool begun = false;                // the head went out (by the first attempt that answered)
  StreamSplice* splice = nullptr;    // set when a cut may be continued by the next attempt
  AnswerCapture* capture = nullptr;  // gathers what the client is sent, for the response cache
};

// Appends `error`'s closing event in the client's format to `out`.
void write_stream_error(StreamTranslator* translator, const ClientFormat& client, const Error& error,
                        std::string& out) {
  if (!translator || !translator->write_error(error, out)) out += client.stream_error_event(error);
}

// Relays the upstream's stream: as bytes, whole events at a time, when no translation is needed;
// else event by event through `translator`. With a splice (stream.splice), a failure where the
// answer can be continued returns StreamEnd::cut with the client's stream left open.
Task<StreamEnd> relay_stream(RequestContext& context, Exchange& exchange, UpstreamExchange& call,
                             const ClientFormat& client, StreamTranslator* translator, const Served& served,
                             StreamMeter* meter, const ClientWatch& watch, const RelayLimits& limits,
                             ClientStream& stream) {
  if (!stream.begun) {
    http::response<http::empty_body> head{http::status::ok, 11};
    head.set(http::field::content_type, "text/event-stream; charset=utf-8");
    head.set(http::field::cache_control, "no-cache");
    for (const char* name : kRequestIdHeaders) head.set(name, context.id);
    copy_upstream_headers(call.header(), head.base());
    set_routing_headers(head.base(), served);
    if (!co_await exchange.begin_stream(std::move(head))) {
      context.attempts.back().error = cancelled_by_client();
      co_return StreamEnd::done;
    }
    stream.begun = true;
  }

  SseSplitter splitter;
  std::string out, metered;
  bool cut = false;
  auto fail = [&](Error error) {
    redact(error.message, limits.secret);
    if (stream.splice && stream.splice->finished()) {
      // Only what follows the answer was lost (its usage): the client gets it complete.
      spdlog::warn("{}: upstream stream cut after the answer finished: {}", context.id, error.message);
      stream.splice->close(out);
      return;
    }
    if (stream.splice && stream.splice->cut_point().continuable) {
      spdlog::info("{}: upstream stream cut ({}); continuing on the next route", context.id, error.message);
      cut = true;
    } else {
      // Whatever was sent stays sent; the client learns the answer is cut short.
      spdlog::warn("{}: upstream stream failed: {}", context.id, error.message);
      write_stream_error(translator, client, error, out);
    }
    context.attempts.back().error = std::move(error);
  };
  for (bool ended = false; !ended;) {
    out.clear();
    auto [error, piece] = co_await call.read_some();
    if (error && watch.gone()) {  // the read was cancelled because the client left
      context.attempts.back().error = cancelled_by_client();
      co_return StreamEnd::done;
    }
    if (error) {
      fail(watch.cut() ? cut_by_shutdown() : *error);
      ended = true;
    } else if (piece.empty()) {
      if (translator)
        if (auto cut_short = translator->on_end(out)) fail(*cut_short);
      ended = true;
    } else {
      std::string_view events = splitter.feed(piece);
      if (!translator) {
        out.append(events);
      } else {
        for (const auto& event : parse_sse_events(events))
          if (auto reported = translator->on_event(event, out)) {
            fail(*reported);
            ended = true;
            break;
          }
      }
      // The whole events go out first; then an unended one over the limit ends the stream.
      if (!ended && splitter.pending_bytes() > limits.max_event_bytes) {
        fail(make_error(ErrorKind::upstream_failed, fmt::format("the provider sent an event of more than {} bytes "
                                                                "(limits.max_upstream_event_bytes)",
                                                                limits.max_event_bytes)));
        ended = true;
      }
    }
    metered.clear();
    if (meter) meter->process(out, metered);
    const std::string& sent = meter ? metered : out;
    if (stream.capture) stream.capture->add(sent);
    if (!co_await exchange.write_chunk(sent)) {  // client gone: drop upstream too
      context.attempts.back().error = cancelled_by_client();
      co_return StreamEnd::done;
    }
  }
  if (cut) co_return StreamEnd::cut;
  co_await exchange.end_stream();
  co_return StreamEnd::done;
}

// Ends a client stream that was cut and could not be continued on any route: its error event, then its end.
Task<> end_stream_with_error(Exchange& exchange, const ClientFormat& client, StreamTranslator* translator,
                             StreamMeter* meter, const Error& error) {
  std::string out, metered;
  write_stream_error(translator, client, error, out);
  if (meter) meter->process(out, metered);
  if (co_await exchange.write_chunk(meter ? metered : out)) co_await exchange.end_stream();
}

Task<> relay_body(RequestContext& context, Exchange& exchange, UpstreamExchange& call, const Relay& relay,
                  const RelayLimits& limits) {
  std::string body;
  auto fail = [&](Error error) -> Task<> {
    redact(error.message, limits.secret);
    context.attempts.back().error = error;
    auto response = relay.client.error_response(context.id, error);
    set_routing_headers(response.base(), relay.served);
    co_await exchange.respond(std::move(response));
  };
  if (auto error = co_await call.read_all(body, limits.max_body_bytes)) {
    if (error->kind == ErrorKind::upstream_failed) error->message += " (limits.max_upstream_body_bytes)";
    co_await fail(std::move(*error));
    co_return;
  }
  if (relay.adapter) {
    // Accounting reads the answer in the client's format, or, for clients whose answers are
    // always made from OpenAI's, that OpenAI answer (its stamps then carry over).
    const bool metered_as_openai = relay.client.answers_made_from_openai();
    auto meter = [&](std::string& text, AnswerFormat format) {
      meter_answer(context, text, format, relay.price);
      add_routing_metadata(text, context, relay.request.view.model);
    };
    auto answer =
        relay.adapter->answers_in_openai_format()
            ? std::variant<std::string, Error>(std::move(body))
            : relay.adapter->translate_response(body, relay.request.endpoint, relay.request.view.model, unix_seconds());
    if (auto* text = std::get_if<std::string>(&answer)) {
      if (metered_as_openai) meter(*text, AnswerFormat::openai);
      answer = relay.client.answer_from_openai(std::move(*text), relay.request);
    }
    if (auto* error = std::get_if<Error>(&answer)) {
      co_await fail(std::move(*error));
      co_return;
    }
    std::string& text = std::get<std::string>(answer);
    if (!metered_as_openai) meter(text, relay.client.answer_format());
    if (relay.capture) relay.capture->add(text);
    auto response = json_response(context.id, 200, std::move(text));
    set_routing_headers(response.base(), relay.served);
    co_await exchange.respond(std::move(response));
    co_return;
  }
  // The hot path of a pass-through: the head is written as text, with no field map to build.
  if (call.status() == 200 && !meter_answer(context, body, relay.client.answer_format(), relay.price)) {
    co_await fail(
        make_error(ErrorKind::upstream_failed, "the provider answered 200 with a body that is not a JSON object"));
    co_return;
  }
  add_routing_metadata(body, context, relay.request.view.model);
  if (relay.capture && call.status() == 200) relay.capture->add(body);
  std::string lines;
  lines.reserve(256);
  append_header(lines, "Content-Type", "application/json");
  for (const char* name : kRequestIdHeaders) append_header(lines, name, context.id);
  for (const auto& field : call.header())
    if (passed_to_client(field.name_string()) && !set_by_gateway(relay.served, field.name_string()))
      append_header(lines, field.name_string(), field.value());
  each_routing_header(relay.served,
                      [&](std::string_view name, std::string_view value) { append_header(lines, name, value); });
  co_await exchange.respond(static_cast<unsigned>(call.status()), lines, body);
}

// Why an upstream 2xx cannot be relayed as the answer asked for, before any byte of its body is
// read: it is compressed (never asked for), or not the media type the request expects (an HTML
// page from a proxy in front of the provider, say). Such an answer counts as the route failing.
std::optional<Error> unusable_answer(const UpstreamExchange& call, bool stream) {
  std::string_view encoding = call.header()[http::field::content_encoding];
  if (!encoding.empty() && !beast::iequals(encoding, "identity"))
    return make_error(ErrorKind::upstream_failed,
                      "the provider answered with Content-Encoding the gateway did not ask for");
  std::string_view type = call.header()[http::field::content_type];
  if (type.empty()) return std::nullopt;
  std::string_view expected = stream ? "text/event-stream" : "application/json";
  if (type.size() >= expected.size() && beast::iequals(type.substr(0, expected.size()), expected)) return std::nullopt;
  return make_error(ErrorKind::upstream_failed,
                    fmt::format("the provider answered {} where {} was expected",
                                stream ? "without a stream" : "with a body that is not JSON", expected));
}

// While an attempt waits on its upstream, a client that hangs up cancels it.
struct AbortOnClientGone {
  AbortOnClientGone(ClientWatch& watch, UpstreamExchange& call) : watch(watch) {
    watch.on_gone([&call] { call.abort(); });
  }
  ~AbortOnClientGone() { watch.on_gone(nullptr); }
  ClientWatch& watch;
};

// The routing rules pick the model (chat requests only: they look at messages and tools); the
// request's own gateway options add models and provider preferences.
RouteRequest route_request(const Config& config, Exchange& exchange, const ClientFormat& client,
                           ClientRequest& request) {
  std::string_view model = request.view.model;
  if (!config.rules.empty() && request.endpoint == OpenAIEndpoint::chat_completions) {
    auto openai = client.openai_request(request);
    if (auto* object = std::get_if<const boost::json::object*>(&openai)) {
      RequestTraits traits = traits_of(**object, request.body.size());
      traits.header = [&exchange](std::string_view name) { return std::string_view(exchange.request()[name]); };
      model = apply_rules(config.rules, model, traits);
    }
  }
  const GatewayOptions& options = request.view.gateway;
  return RouteRequest{model, options.models, options.order, options.only, options.sort};
}

// The configuration of a model id, or nullptr (a provider/model id, a family's bare name).
const ModelConfig* model_config(const Config& config, std::string_view id) {
  auto it = config.models.find(id);
  return it == config.models.end() ? nullptr : &it->second;
}

// Why `candidate`, whose context window holds `window` tokens, cannot hold a request of `tokens`
// (input + requested output), if so.
std::optional<Error> too_long_for(const Candidate& candidate, int64_t window, int64_t tokens) {
  if (tokens <= window) return std::nullopt;
  Error error = make_error(ErrorKind::bad_request,
                           fmt::format("the request needs about {} tokens (input and requested output), more than "
                                       "the {} tokens {} holds on {}",
                                       tokens, window, candidate.upstream_model, candidate.provider->name),
                           "messages");
  error.code = "context_length_exceeded";
  return error;
}

// A stream that came whole from one route: its time to first byte of answer and its output
// tokens per second, the measures `strategy: sort` (and providerOptions.gateway.sort) orders by.
void note_stream_speed(LatencyTracker& latency, const Candidate& candidate, std::chrono::steady_clock::time_point start,
                       std::optional<std::chrono::steady_clock::time_point> first, const AnswerFacts& facts) {
  if (!first || *first < start) return;
  const auto now = std::chrono::steady_clock::now();
  latency.record_ttft(candidate.provider->name, candidate.upstream_model,
                      std::chrono::duration_cast<std::chrono::microseconds>(*first - start));
  const double seconds = std::chrono::duration<double>(now - *first).count();
  if (facts.usage && facts.usage->output > 0 && seconds > 0)
    latency.record_tps(candidate.provider->name, candidate.upstream_model,
                       static_cast<double>(facts.usage->output) / seconds);
}

// A stream cut where it can be continued: what the next attempt continues from.
struct Continuation {
  std::string prefill;     // the answer's text sent so far, less its trailing whitespace
  int64_t text_bytes = 0;  // the answer's text sent so far (the splice point)
};

}  // namespace

Task<> proxy(RequestContext& context, const Services& services, Exchange& exchange, const ClientFormat& client,
             ClientRequest& request) {
  const Config& config = *context.config;
  const RouteRequest asked = route_request(config, exchange, client, request);
  auto planned = plan_route(config, asked, RouteSignals{services.draw, services.latency});
  if (auto* error = std::get_if<Error>(&planned)) {
    note_rejection(context, *error);
    co_await exchange.respond(client.error_response(context.id, *error));
    co_return;
  }
  const RoutePlan& plan = std::get<RoutePlan>(planned);
  auto executor = co_await net::this_coro::executor;

  // The response cache: a hit is answered here; a miss's answer is gathered as it goes out.
  const std::optional<CachePlan> caching =
      services.caches.memory ? plan_caching(config, context, request, exchange.request(), plan.model_id) : std::nullopt;
  if (caching) {
    if (std::optional<CachedAnswer> hit = co_await look_up(services.caches, *caching)) {
      co_await serve_from_cache(context, exchange, *hit, services.wall_ms());
      co_return;
    }
    context.answer_headers.emplace_back("x-switchyard-cache", "miss");
  }
  AnswerCapture capture(caching ? caching->settings.max_bytes / ResponseCache::kMaxShareOfPartition : 0);
  AnswerCapture* const capturing = caching ? &capture : nullptr;

  std::optional<Error> last_error;
  std::optional<RejectedAnswer> rejected;
  // Each candidate in turn; a retryable failure may first try the same one again (retry_policy).
  int retries_done = 0;
  auto retry_or_next = [&](std::size_t& index, const Error& error, std::string_view retry_after) -> Task<> {
    if (auto wait = retry_delay(config.retries, retries_done, error, retry_after)) {
      ++retries_done;
      Timer timer(co_await net::this_coro::executor, *wait);
      co_await timer.async_wait(use_tuple);
    } else {
      ++index;
      retries_done = 0;
    }
  };
  CircuitBreaker& breaker = services.breaker;
  LatencyTracker& latency = services.latency;
  ClientWatch watch(exchange.socket());
  // The caller's own provider keys (providerOptions.gateway.byok): their routes go first, on a
  // copy of the provider with the caller's key (recorded as BYOK, priced at list).
  std::deque<ProviderConfig> callers_providers;
  std::vector<Candidate> candidates = with_callers_keys(plan.candidates, request.view.gateway, callers_providers);
  CircuitBreaker::Admitted admitted = breaker.admit(candidates, config.breaker);
  // After a context overflow, a model's on_failure.context_window models replace the rest of the plan.
  std::optional<RoutePlan> larger_plan;
  RouteQuotas quotas(context, services);
  std::optional<RequestEstimate> guess;  // made when a provider with a quota is tried
  int64_t quota_retry_after_s = 0;       // the last provider quota refused: when to try again
  std::optional<int64_t> needed_tokens;  // made when a route's context window is known to be small

  // A stream of a model with continue_on_failure: every attempt's events go through one splice
  // into the client's stream, so a cut after it began is continued on the next route.
  const ModelConfig* asked_model = model_config(config, plan.model_id);
  const bool continuable = request.view.stream && asked_model && asked_model->continue_on_failure;
  const bool metered_as_openai = client.answers_made_from_openai();
  std::optional<StreamMeter> meter;
  std::unique_ptr<StreamSplice> splice;
  ClientStream stream;
  stream.capture = capturing;
  std::optional<Continuation> continuation;
  std::size_t text_at_attempt = 0;  // the splice's text when the current attempt began

  std::size_t index = 0;
  for (;;) {
    if (larger_plan) {
      candidates = with_callers_keys(larger_plan->candidates, request.view.gateway, callers_providers);
      admitted = breaker.admit(candidates, config.breaker);
      larger_plan.reset();
      index = 0;
      retries_done = 0;
    }
    if (index >= admitted.size() || watch.gone() || watch.cut()) break;
    const Candidate& candidate = *admitted[index];
    if (auto refused = provider_refused(context.client, candidate.provider->name)) {
      last_error = std::move(refused);
      ++index;
      continue;
    }
    if (continuation && !continuation->prefill.empty() && candidate.provider->prefill == Prefill::none) {
      ++index;  // this host cannot continue a prefilled answer (providers.X.prefill)
      continue;
    }
    if (auto window = context_window_of(model_config(config, candidate.model_id), candidate.upstream_model);
        window && static_cast<int64_t>(request.body.size() / 4) > *window / 2) {
      // Only a request that may not fit is read for its size (the body's bytes bound its text).
      if (!needed_tokens) {
        auto openai = client.openai_request(request);
        auto* object = std::get_if<const boost::json::object*>(&openai);
        needed_tokens = object ? estimated_request_tokens(**object) : 0;
      }
      if (auto too_long = too_long_for(candidate, *window, *needed_tokens)) {
        last_error = std::move(too_long);
        ++index;
        continue;
      }
    }
    CircuitBreaker::Pass pass = breaker.enter(candidate, config.breaker);
    if (!pass.admitted()) {  // another request is probing this route right now
      ++index;
      continue;
    }
    if (candidate.provider->limits.any()) {
      if (!guess) guess = estimate(request);
      if (auto over = co_await admit_route(services, *candidate.provider, *guess, quotas.add())) {
        last_error = std::move(over->error);  // the provider is at its quota: the next route, not its 429
        quota_retry_after_s = over->retry_after_s;
        ++index;
        continue;
      }
    }
    Attempt& attempt = context.attempts.emplace_back();
    attempt.provider = candidate.provider->name;
    attempt.upstream_model = candidate.upstream_model;
    attempt.model_id = candidate.model_id;
    attempt.start = std::chrono::steady_clock::now();
    if (continuation) attempt.continued_at = continuation->text_bytes;

    // A continuable stream always goes through the translation layer (its splice reads OpenAI chunks).
    const bool native = !continuable && candidate.provider->speaks(client.wire_api(request));
    const ProviderAdapter& adapter = adapter_for(candidate.provider->type);
    std::variant<UpstreamRequest, Error> built = make_error(ErrorKind::internal, "no request built");
    if (native) {
      built = client.native_request(request, candidate);
    } else {
      auto openai = client.openai_request(request);
      if (auto* error = std::get_if<Error>(&openai)) {
        co_await exchange.respond(client.error_response(context.id, *error));
        co_return;
      }
      const boost::json::object& chat = *std::get<const boost::json::object*>(openai);
      if (continuation) {
        const boost::json::object continued =
            continuation_request(chat, continuation->prefill, candidate.provider->prefill);
        built = adapter.build_request({request.endpoint, {}, request.view, &continued}, candidate);
      } else {
        // An OpenAI client's own bytes serve OpenAI-format adapters; translated requests go as JSON.
        std::string_view body = &client == &openai_client() ? request.body : std::string_view();
        built = adapter.build_request({request.endpoint, body, request.view, &chat}, candidate);
      }
    }
    if (auto* error = std::get_if<Error>(&built)) {
      last_error = attempt.error = *error;
      ++index;
      continue;
    }
    if (context.trace) {  // the attempt's own span when tracing, else the client's as it came
      attempt.span_id = services.spans ? new_span_id() : context.trace->span_id;
      std::get<UpstreamRequest>(built).header_lines +=
          "traceparent: " + format_traceparent(context.trace->trace_id, attempt.span_id, context.trace->sampled) +
          "\r\n";
    }

    std::unique_ptr<UpstreamExchange> exchange_with_upstream =
        services.upstream.open(executor, candidate.provider->endpoint, candidate.provider->timeouts);
    UpstreamExchange& call = *exchange_with_upstream;
    const AbortOnClientGone abort_on_gone(watch, call);
    auto error = co_await call.send(std::get<UpstreamRequest>(built));
    attempt.end = std::chrono::steady_clock::now();
    if (watch.gone()) {
      spdlog::info("{}: the client went away; upstream request to {} cancelled", context.id, candidate.provider->name);
      attempt.error = cancelled_by_client();
      co_return;
    }
    if (error && watch.cut()) {
      last_error = attempt.error = cut_by_shutdown();
      break;
    }
    if (!error && call.status() < 300) error = unusable_answer(call, request.view.stream);
    // A failure counts as a slow first token on every route (strategy sort reads it too); the time
    // to the answer's head is kept for lowest-latency models.
    if (error || call.status() >= 500 || call.status() == 429)
      latency.record_failure(candidate.provider->name, candidate.upstream_model);
    else if (candidate.track_latency)
      latency.record_success(candidate.provider->name, candidate.upstream_model,
                             std::chrono::duration_cast<std::chrono::microseconds>(attempt.end - attempt.start));
    const FailurePolicy& on_failure = [&]() -> const FailurePolicy& {
      static const FailurePolicy kDefaults;
      const ModelConfig* model = model_config(config, candidate.model_id);
      return model ? model->on_failure : kDefaults;
    }();
    // What the model's on_failure says to do after `failure` of `kind`; false: give it back.
    auto after_failure = [&](const Error& failure, FailureClass kind, std::string_view retry_after) -> Task<bool> {
      switch (on_failure.action(kind)) {
        case FailureAction::give_back: co_return false;
        case FailureAction::retry: co_await retry_or_next(index, failure, retry_after); co_return true;
        case FailureAction::fallback: break;
      }
      if (kind == FailureClass::context_window && !on_failure.larger_models.empty()) {
        auto larger = plan_route(config,
                                 RouteRequest{on_failure.larger_models.front(),
                                              std::span(on_failure.larger_models).subspan(1), asked.order, asked.only},
                                 RouteSignals{services.draw, services.latency});
        if (auto* next_plan = std::get_if<RoutePlan>(&larger)) {
          larger_plan = std::move(*next_plan);
          co_return true;
        }
      }
      ++index;
      retries_done = 0;
      co_return true;
    };
    if (error) {
      attempt.status = call.status_if_any();
      last_error = attempt.error = *error;
      if (!error->retryable) break;
      pass.failed(config.breaker);
      const Error failure = *error;
      const FailureClass kind = classify_failure(failure);
      const std::string_view no_retry_after;
      if (!co_await after_failure(failure, kind, no_retry_after)) break;
      continue;
    }
    attempt.status = call.status();
    if (call.status() >= 300) {
      RejectedAnswer answer{call.status(), {}, {}, native};
      if (auto read_error = co_await call.read_all(answer.body, 1 << 20)) answer.body.clear();
      redact(answer.body, candidate.provider->api_key);
      copy_upstream_headers(call.header(), answer.headers);
      last_error = attempt.error =
          upstream_status_error(candidate.provider->name, call.status(), upstream_error_message(answer.body));
      const FailureClass kind = classify_failure(call.status(), answer.body);
      const std::string retry_after(answer.headers[http::field::retry_after]);
      rejected = std::move(answer);
      if (kind == FailureClass::outage || kind == FailureClass::rate_limit)
        pass.failed(config.breaker);
      else
        pass.succeeded();  // the route is up: it judged the request
      const Error failure = *last_error;
      if (!co_await after_failure(failure, kind, retry_after)) break;
      continue;
    }
    pass.succeeded();
    const Served served{candidate.provider->name, candidate.model_id, context.attempts.size(), &context.answer_headers};
    context.byok = candidate.provider->byok;
    std::optional<Price> price = serving_price(config, candidate);
    const RelayLimits limits{config.max_upstream_body_bytes, config.max_upstream_event_bytes,
                             candidate.provider->api_key};
    if (!request.view.stream) {
      // A named local, not a temporary: g++ 12 mishandles temporaries bound to a coroutine's
      // reference parameters across its suspensions.
      const Relay relay{client, native ? nullptr : &adapter, request, served, price, capturing};
      co_await relay_body(context, exchange, call, relay, limits);
      if (caching) {
        const ServedBy by{candidate.provider->name, candidate.model_id, candidate.upstream_model, false};
        keep_answer(services.caches, *caching, context, capture, by, services.wall_ms());
      }
      co_return;
    }
    // Usage is always asked of the provider, for accounting; the meter drops it when the client did not ask.
    // Clients whose answers are always made from OpenAI's are metered on that form, between
    // the provider's translation and theirs.
    if (!meter)
      meter.emplace(context, metered_as_openai ? AnswerFormat::openai : client.answer_format(), price,
                    metered_as_openai || request.view.include_usage);
    else
      meter->price_at(price);  // a continuation: the whole answer is priced at the route that finished it
    auto from_openai = [&] {
      return metered_as_openai ? chain(metering_stage(*meter), client.stream_from_openai(request))
                               : client.stream_from_openai(request);
    };
    std::unique_ptr<StreamTranslator> to_openai =
        native || adapter.answers_in_openai_format() ? nullptr : adapter.translate_stream(unix_seconds(), true);
    std::unique_ptr<StreamTranslator> own;  // this attempt's translator, when no splice joins attempts
    StreamTranslator* translator = nullptr;
    if (continuable) {
      if (!splice) splice = std::make_unique<StreamSplice>(from_openai());
      splice->attempt(std::move(to_openai));
      stream.splice = splice.get();
      translator = splice.get();
    } else {
      own = native ? client.stream_from_native() : chain(std::move(to_openai), from_openai());
      translator = own.get();
    }
    text_at_attempt = splice ? splice->text_bytes() : 0;
    const StreamEnd end = co_await relay_stream(context, exchange, call, client, translator, served,
                                                metered_as_openai ? nullptr : &*meter, watch, limits, stream);
    if (end == StreamEnd::done) {
      if (!attempt.error && !continuation)
        note_stream_speed(latency, candidate, attempt.start, exchange.first_data_at(), context.facts);
      if (caching) {
        const ServedBy by{candidate.provider->name, candidate.model_id, candidate.upstream_model, true};
        keep_answer(services.caches, *caching, context, capture, by, services.wall_ms());
      }
      co_return;
    }
    // Cut where it can go on: the next route continues from what the client has.
    const StreamSplice::CutPoint point = splice->cut_point();
    auto [prefill, trimmed] = split_trailing_whitespace(point.text);
    if (!guess) guess = estimate(request);
    // What the cut attempt was billed, estimated: its input (the prompt and any prefill it was
    // given) and the text it added, at 4 bytes a token.
    const StreamSplice::Carried carried{
        guess->input_tokens + static_cast<int64_t>((continuation ? continuation->prefill.size() : 0) / 4),
        static_cast<int64_t>((point.text.size() - text_at_attempt + 3) / 4)};
    splice->continue_after_cut(std::move(trimmed), carried);
    continuation = Continuation{std::move(prefill), static_cast<int64_t>(point.text.size())};
    pass.failed(config.breaker);
    last_error = attempt.error;
    const Error failure = *attempt.error;
    const std::string_view no_retry_after;
    co_await retry_or_next(index, failure, no_retry_after);
  }

  // Every candidate failed. An upstream 4xx from a provider that speaks the client's format goes
  // back as it came, when complete in that format; anything else in the client's error shape.
  // No attempt at all: every route was skipped while another request probes it after a failure.
  Error final_error = last_error.value_or(
      make_error(ErrorKind::unavailable, "every route of this model is being probed after failing; try again shortly"));
  if (stream.begun) {  // a cut stream no route could continue: the client learns it is cut short
    co_await end_stream_with_error(exchange, client, splice.get(), metered_as_openai ? nullptr : &*meter, final_error);
    co_return;
  }
  const Candidate* tried = admitted.empty() ? nullptr : admitted[std::min(index, admitted.size() - 1)];
  const Served served{tried ? std::string_view(tried->provider->name) : std::string_view(),
                      tried ? std::string_view(tried->model_id) : std::string_view(), context.attempts.size(),
                      &context.answer_headers};
  if (rejected && rejected->native && final_error.kind == ErrorKind::upstream_rejected &&
      client.is_error_body(rejected->body)) {
    auto response = json_response(context.id, static_cast<unsigned>(rejected->status), std::move(rejected->body));
    for (const auto& field : rejected->headers) response.set(field.name_string(), field.value());
    set_routing_headers(response.base(), served);
    co_await exchange.respond(std::move(response));
    co_return;
  }
  auto response = client.error_response(context.id, final_error);
  if (rejected)
    for (const auto& field : rejected->headers) response.set(field.name_string(), field.value());
  if (final_error.kind == ErrorKind::rate_limited && quota_retry_after_s > 0)  // every route at its provider's quota
    response.set(http::field::retry_after, std::to_string(quota_retry_after_s));
  set_routing_headers(response.base(), served);
  co_await exchange.respond(std::move(response));
}

}  // namespace switchyard
