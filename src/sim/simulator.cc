#include "sim/simulator.h"

#include <fmt/format.h>
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>

#include "sim/embeddings.h"
#include "sim/wire_format.h"
#include "translate/client_text.h"
#include "translate/json_parse.h"

namespace switchyard::sim {
namespace json = boost::json;
namespace {

enum class Api {
  openai_chat,
  openai_responses,
  openai_embeddings,
  gemini_embed,        // embedContent
  gemini_batch_embed,  // batchEmbedContents
  openai_models,
  anthropic_messages,
  anthropic_count_tokens,
  gemini_generate,
  gemini_stream,
  gemini_count_tokens,
  unknown
};

struct Route {
  Api api = Api::unknown;
  std::string path_model;  // Gemini names the model in the path
};

Route route_of(std::string_view target) {
  std::string_view path = target.substr(0, target.find('?'));
  if (path == "/openai/v1/chat/completions") return {Api::openai_chat};
  if (path == "/openai/v1/responses") return {Api::openai_responses};
  if (path == "/openai/v1/embeddings") return {Api::openai_embeddings};
  if (path == "/openai/v1/models") return {Api::openai_models};
  if (path == "/anthropic/v1/messages") return {Api::anthropic_messages};
  if (path == "/anthropic/v1/messages/count_tokens") return {Api::anthropic_count_tokens};
  for (std::string_view gemini : {"/gemini/v1beta/models/", "/gemini/v1/models/"}) {
    if (!path.starts_with(gemini)) continue;
    std::string_view rest = path.substr(gemini.size());
    auto colon = rest.rfind(':');
    if (colon != std::string_view::npos) {
      std::string_view method = rest.substr(colon + 1);
      if (method == "generateContent") return {Api::gemini_generate, std::string(rest.substr(0, colon))};
      if (method == "streamGenerateContent") return {Api::gemini_stream, std::string(rest.substr(0, colon))};
      if (method == "countTokens") return {Api::gemini_count_tokens, std::string(rest.substr(0, colon))};
      if (method == "embedContent") return {Api::gemini_embed, std::string(rest.substr(0, colon))};
      if (method == "batchEmbedContents") return {Api::gemini_batch_embed, std::string(rest.substr(0, colon))};
    }
  }
  return {};
}

const WireFormat& wire_for(Api api) {
  switch (api) {
    case Api::anthropic_messages:
    case Api::anthropic_count_tokens: return anthropic_wire();
    case Api::gemini_generate:
    case Api::gemini_stream:
    case Api::gemini_count_tokens:
    case Api::gemini_embed:
    case Api::gemini_batch_embed: return gemini_wire();
    case Api::openai_responses: return responses_wire();
    default: return openai_wire();
  }
}

// The credential the client presented, as that provider expects it; empty when missing.
std::string credential(Api api, const http::request<http::string_body>& request) {
  if ((api == Api::anthropic_messages || api == Api::anthropic_count_tokens) && !request["x-api-key"].empty())
    return std::string(request["x-api-key"]);
  if (api == Api::gemini_generate || api == Api::gemini_stream || api == Api::gemini_count_tokens ||
      api == Api::gemini_embed || api == Api::gemini_batch_embed) {
    if (auto key = request["x-goog-api-key"]; !key.empty()) return std::string(key);
    std::string_view target = request.target();
    if (auto at = target.find("key="); at != std::string_view::npos)
      return std::string(target.substr(at + 4, target.find('&', at) - at - 4));
    return {};
  }
  std::string_view auth = request[http::field::authorization];
  return auth.starts_with("Bearer ") ? std::string(auth.substr(7)) : std::string();
}

std::string next_id(Api api) {
  static std::atomic<uint64_t> counter{0};
  uint64_t n = counter.fetch_add(1, std::memory_order_relaxed);
  if (api == Api::anthropic_messages) return fmt::format("msg_sim{:016x}", n);
  if (api == Api::gemini_generate || api == Api::gemini_stream) return fmt::format("sim{:016x}", n);
  if (api == Api::openai_responses) return fmt::format("resp_sim{:016x}", n);
  return fmt::format("chatcmpl-sim{:016x}", n);
}

http::response<http::string_body> json_reply(unsigned status, std::string body) {
  http::response<http::string_body> response{static_cast<http::status>(status), 11};
  response.set(http::field::content_type, "application/json");
  response.body() = std::move(body);
  return response;
}

Task<> pause(std::chrono::milliseconds duration) {
  if (duration.count() <= 0) co_return;
  Timer timer(co_await net::this_coro::executor, duration);
  co_await timer.async_wait(use_tuple);
}

// Drops the connection with a TCP reset, as a crashed or overloaded upstream does.
void reset_connection(Exchange& exchange) {
  error_code ignored;
  exchange.socket().set_option(net::socket_base::linger(true, 0), ignored);
  exchange.socket().close(ignored);
  exchange.close_after();
}

// Never answers; returns once the client gives up and closes the connection.
Task<> hang(Exchange& exchange) {
  exchange.close_after();
  char byte;
  co_await exchange.socket().async_read_some(net::buffer(&byte, 1), use_tuple);
}

std::string token_count(Api api, int64_t tokens) {
  return json::serialize(json::object{{api == Api::gemini_count_tokens ? "totalTokens" : "input_tokens", tokens}});
}

// With fail_first=N, a model name fails its first N requests and then recovers: a provider
// that comes back, for retry tests. Counted across the simulator's threads.
bool still_failing(const std::string& model, int fail_first) {
  if (fail_first == 0) return true;
  static std::mutex mutex;
  static std::map<std::string, int> seen;
  std::lock_guard lock(mutex);
  return ++seen[model] <= fail_first;
}

// The 400 body that refuses this request before the model runs: the provider's context overflow
// (fail=context, or a prompt plus requested output over ctx=N) or its content-policy refusal
// (fail=policy). fail=context reports the request's own count against a window of 8192, or
// one token more than the window when the request is smaller.
std::optional<std::string> refusal(const Scenario& scenario, const Prompt& prompt, const WireFormat& wire,
                                   const std::string& model) {
  int requested = prompt_tokens(prompt) + prompt.max_output_tokens;
  if (scenario.context_window && requested > scenario.context_window)
    return wire.context_overflow_body(requested, scenario.context_window);
  if (scenario.fail_shape == FailShape::status || !still_failing(model, scenario.fail_first)) return std::nullopt;
  if (scenario.fail_shape == FailShape::policy) return wire.policy_refusal_body();
  constexpr int kWindow = 8192;
  return wire.context_overflow_body(std::max(requested, kWindow + 1), kWindow);
}

std::string models_list() {
  json::array data;
  for (const char* id : {"echo", "lorem", "inspect"})
    data.push_back(
        json::object{{"id", id}, {"object", "model"}, {"created", 1700000000}, {"owned_by", "switchyard-sim"}});
  return json::serialize(json::object{{"object", "list"}, {"data", std::move(data)}});
}

}  // namespace

http::response<http::string_body> Simulator::render_error(const Error& error,
                                                          const http::request_header<>& header) const {
  return json_reply(static_cast<unsigned>(error.status),
                    wire_for(route_of(header.target()).api).error_body(error.status, error.message));
}

Task<> Simulator::handle(Exchange& exchange) {
  auto& request = exchange.request();
  Route route = route_of(request.target());
  const WireFormat& wire = wire_for(route.api);
  auto fail = [&](unsigned status, std::string_view message) {
    return exchange.respond(json_reply(status, wire.error_body(status, message)));
  };

  if (request.target() == "/healthz") {
    co_await exchange.respond(json_reply(200, R"({"status":"ok"})"));
    co_return;
  }
  if (route.api == Api::unknown) {
    co_await fail(404, fmt::format("no simulated endpoint at {}", std::string(request.target())));
    co_return;
  }
  std::string key = credential(route.api, request);
  if (key.empty()) {
    co_await fail(401, "missing API key");
    co_return;
  }
  if (route.api == Api::openai_models) {
    co_await exchange.respond(json_reply(200, models_list()));
    co_return;
  }
  if (request.method() != http::verb::post) {
    co_await fail(405, "use POST");
    co_return;
  }
  if ((route.api == Api::anthropic_messages || route.api == Api::anthropic_count_tokens) &&
      request["anthropic-version"].empty()) {
    co_await fail(400, "anthropic-version: header is required");
    co_return;
  }

  boost::system::error_code ec;
  json::value parsed = parse_json(request.body(), ec);
  if (ec || !parsed.is_object()) {
    co_await fail(400, "the request body is not a valid JSON object");
    co_return;
  }
  const json::object& body = parsed.get_object();
  // The path's model is percent-encoded as gateways send it ("cut=50%25").
  std::string model = percent_decode(route.path_model).value_or(route.path_model);
  if (model.empty()) {
    if (auto* m = body.if_contains("model"); m && m->is_string())
      model = m->get_string();
    else {
      co_await fail(400, "'model' is required");
      co_return;
    }
  }
  auto scenario_or_error = parse_scenario(model, defaults_);
  if (auto* message = std::get_if<std::string>(&scenario_or_error)) {
    co_await fail(400, *message);
    co_return;
  }
  const Scenario& scenario = std::get<Scenario>(scenario_or_error);

  if (scenario.fault == Fault::reset) {
    reset_connection(exchange);
    co_return;
  }
  if (scenario.fault == Fault::hang) {
    co_await hang(exchange);
    co_return;
  }
  if (scenario.fail_status && scenario.fail_shape == FailShape::status && still_failing(model, scenario.fail_first)) {
    auto response =
        json_reply(static_cast<unsigned>(scenario.fail_status),
                   wire.error_body(scenario.fail_status, fmt::format("simulated failure {}", scenario.fail_status)));
    if (scenario.fail_status == 429) response.set(http::field::retry_after, std::to_string(scenario.retry_after_s));
    co_await exchange.respond(std::move(response));
    co_return;
  }

  if (route.api == Api::openai_embeddings || route.api == Api::gemini_embed || route.api == Api::gemini_batch_embed) {
    unsigned status = 200;
    std::string reply;
    try {
      reply = route.api == Api::openai_embeddings ? embeddings_reply(body, model)
                                                  : gemini_embeddings_reply(body, route.api == Api::gemini_batch_embed);
    } catch (const BadRequest& bad) {
      status = 400;
      reply = wire.error_body(400, bad.message);
    }
    if (status == 200) co_await pause(std::chrono::milliseconds(scenario.ttft_ms));
    co_await exchange.respond(json_reply(status, std::move(reply)));
    co_return;
  }

  Prompt prompt;
  std::optional<std::string> bad_request;
  try {
    if (route.api == Api::anthropic_count_tokens) {  // counting needs no max_tokens
      json::object counted = body;
      counted["max_tokens"] = 1;
      prompt = wire.read_prompt(counted);
    } else if (route.api == Api::gemini_count_tokens && body.contains("generateContentRequest")) {
      prompt = wire.read_prompt(object_at(body, "generateContentRequest"));
    } else {
      prompt = wire.read_prompt(body);
    }
  } catch (const BadRequest& bad) {
    bad_request = bad.message;
  }
  if (bad_request) {
    co_await fail(400, *bad_request);
    co_return;
  }
  bool counting = route.api == Api::anthropic_count_tokens || route.api == Api::gemini_count_tokens;
  if (auto body = counting ? std::nullopt : refusal(scenario, prompt, wire, model)) {
    co_await exchange.respond(json_reply(400, std::move(*body)));
    co_return;
  }
  if (scenario.signed_calls && prompt.unsigned_call) {
    co_await fail(400, route.api == Api::gemini_generate || route.api == Api::gemini_stream
                           ? "Function call is missing a thought_signature in functionCall parts. This is required "
                             "for tools to work correctly, and missing thought_signature may lead to degraded model "
                             "performance."
                           : "messages: Expected `thinking` or `redacted_thinking`, but found `tool_use`. When "
                             "`thinking` is enabled, a final `assistant` message must start with a thinking block.");
    co_return;
  }
  prompt.received_auth = key;
  prompt.received_model = model;
  for (const auto& field : body) prompt.received_keys.emplace_back(field.key());
  Answer answer = compose_answer(scenario, prompt);
  if (route.api == Api::anthropic_count_tokens || route.api == Api::gemini_count_tokens) {
    co_await exchange.respond(json_reply(200, token_count(route.api, answer.prompt_tokens)));
    co_return;
  }
  ReplyMeta meta{
      next_id(route.api), model,
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count()};
  bool streaming = route.api == Api::gemini_stream;
  if (auto* s = body.if_contains("stream"); s && s->is_bool()) streaming = streaming || s->get_bool();
  if (auto* options = body.if_contains("stream_options"); options && options->is_object())
    if (auto* usage = options->get_object().if_contains("include_usage"); usage && usage->is_bool())
      meta.include_usage = usage->get_bool();

  if (!streaming) {
    std::size_t tokens = std::max<std::size_t>(1, answer.pieces.size());
    co_await pause(std::chrono::milliseconds(scenario.ttft_ms + scenario.delay_ms * static_cast<long>(tokens - 1)));
    if (scenario.fault == Fault::drop) {
      reset_connection(exchange);
      co_return;
    }
    co_await exchange.respond(json_reply(200, wire.reply(answer, meta)));
    co_return;
  }

  std::vector<std::string> ticks = wire.stream(answer, meta);
  // A cut stream, or a dropped one, sends this many bytes of its body and then resets the
  // connection, so the client sees an error rather than the end of the body. A dropped stream
  // ends after half its ticks (at least one), without its closing events.
  std::optional<std::size_t> end_at;
  if (scenario.cut) {
    std::size_t total = 0;
    for (const auto& tick : ticks) total += tick.size();
    end_at = cut_offset(*scenario.cut, total);
  } else if (scenario.fault == Fault::drop) {
    std::size_t half = std::max<std::size_t>(1, ticks.size() / 2);
    if (half == ticks.size()) --half;
    end_at = 0;
    for (std::size_t i = 0; i < half; ++i) *end_at += ticks[i].size();
  }
  co_await pause(std::chrono::milliseconds(scenario.ttft_ms));
  http::response<http::empty_body> head{http::status::ok, 11};
  head.set(http::field::content_type, "text/event-stream; charset=utf-8");
  head.set(http::field::cache_control, "no-cache");
  if (!co_await exchange.begin_stream(std::move(head))) co_return;
  std::size_t sent = 0;
  for (std::size_t i = 0; i < ticks.size() && (!end_at || sent < *end_at); ++i) {
    if (i > 0) co_await pause(std::chrono::milliseconds(scenario.delay_ms));
    std::string_view tick = ticks[i];
    if (end_at) tick = tick.substr(0, *end_at - sent);
    if (!co_await exchange.write_chunk(tick)) co_return;
    sent += tick.size();
  }
  if (end_at) {
    reset_connection(exchange);
    co_return;
  }
  co_await exchange.end_stream();
}

}  // namespace switchyard::sim
