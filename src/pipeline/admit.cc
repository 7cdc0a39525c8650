#include "pipeline/admit.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "core/calendar.h"
#include "core/model_specs.h"
#include "core/prices.h"
#include "governance/key_json.h"
#include "server/offload.h"

namespace switchyard {
namespace {

constexpr int64_t kDefaultOutputCap = 4096;  // a request that names no cap, for a model of unknown limit

// The first top-level-looking "max_tokens"-style field's value in `body` (OpenAI's max_tokens and
// max_completion_tokens, Responses' max_output_tokens, Gemini's and the AI SDK's maxOutputTokens):
// a scan of the bytes, not a parse, so it costs nothing measurable. A name inside a string value
// is escaped (\"max_tokens\") and is not matched.
std::optional<int64_t> output_cap(std::string_view body) {
  for (std::string_view name : {"\"max_tokens\"", "\"max_completion_tokens\"", "\"max_output_tokens\"",
                                "\"maxOutputTokens\"", "\"maxTokens\""}) {
    for (std::size_t at = body.find(name); at != std::string_view::npos; at = body.find(name, at + 1)) {
      if (at > 0 && body[at - 1] == '\\') continue;
      std::size_t value = body.find_first_not_of(" \t\r\n:", at + name.size());
      if (value == std::string_view::npos) break;
      int64_t cap = 0;
      auto [end, ec] = std::from_chars(body.data() + value, body.data() + body.size(), cap);
      if (ec == std::errc() && cap > 0) return cap;
    }
  }
  return std::nullopt;
}

// The list price a request is reserved at before it is routed: its model's configured price,
// else its first route's, else the price table's for "provider/model", else for the first
// provider of its family.
std::optional<Price> reservation_price(const Config& config, std::string_view model) {
  if (auto found = config.models.find(model); found != config.models.end()) {
    if (found->second.price) return found->second.price;
    for (const auto& route : found->second.routes) {
      if (route.price) return route.price;
      if (config.prices)
        if (auto price = config.prices->find(route.provider, route.model, today())) return price;
    }
    return std::nullopt;
  }
  if (!config.prices) return std::nullopt;
  if (std::size_t slash = model.find('/'); slash != std::string_view::npos)
    return config.prices->find(model.substr(0, slash), model.substr(slash + 1), today());
  auto providers = config.family_providers(model);
  if (providers.empty()) return std::nullopt;
  return config.prices->find(providers.front()->name, model, today());
}

bool allowed(const std::vector<std::string>& list, std::string_view model) {
  return list.empty() || std::find(list.begin(), list.end(), model) != list.end();
}

// "1s", "6m0s": how OpenAI writes a reset time in x-ratelimit-reset-*.
std::string duration_text(int64_t ms) {
  const int64_t seconds = std::max<int64_t>(0, (ms + 999) / 1000);
  return seconds >= 60 ? fmt::format("{}m{}s", seconds / 60, seconds % 60) : fmt::format("{}s", seconds);
}

// The rate figures as the client's SDK reads them: OpenAI's x-ratelimit-* (also on the AI
// Gateway's and Gemini's APIs, which define none), Anthropic's anthropic-ratelimit-* on /v1/messages.
void add_rate_headers(RequestContext& context, const RateFigures& rate, bool anthropic, int64_t now_ms) {
  auto& out = context.answer_headers;
  auto put = [&](std::string_view kind, int64_t limit, int64_t remaining, int64_t reset_ms) {
    if (limit == 0) return;
    if (anthropic) {
      out.emplace_back(fmt::format("anthropic-ratelimit-{}-limit", kind), std::to_string(limit));
      out.emplace_back(fmt::format("anthropic-ratelimit-{}-remaining", kind), std::to_string(remaining));
      // RFC 3339, as Anthropic writes it.
      out.emplace_back(fmt::format("anthropic-ratelimit-{}-reset", kind), iso_time_of(now_ms + reset_ms));
    } else {
      out.emplace_back(fmt::format("x-ratelimit-limit-{}", kind), std::to_string(limit));
      out.emplace_back(fmt::format("x-ratelimit-remaining-{}", kind), std::to_string(remaining));
      out.emplace_back(fmt::format("x-ratelimit-reset-{}", kind), duration_text(reset_ms));
    }
  };
  put("requests", rate.request_limit, rate.request_remaining, rate.request_reset_ms);
  put("tokens", rate.token_limit, rate.token_remaining, rate.token_reset_ms);
}

// Counts `admission` without I/O when it can, else on the governance pool (this loop serves other
// requests meanwhile).
Task<Governor::Verdict> count(Governor& governor, Admission& admission, std::optional<Refusal>& refusal) {
  const Governor::Verdict verdict = governor.admit_fast(admission, refusal);
  if (verdict != Governor::Verdict::needs_io) co_return verdict;
  // Named locals, not temporaries in the co_await expression: g++ 12 destroys those twice.
  std::function<Governor::Verdict()> rest = [counting = &governor, progress = &admission, refused = &refusal] {
    return counting->admit(*progress, *refused);
  };
  const Executor loop = co_await net::this_coro::executor;
  co_return co_await offload<Governor::Verdict>(loop, std::move(rest), governance_pool());
}

}  // namespace

Task<std::optional<Refusal>> admit_route(const Services& services, const ProviderConfig& provider,
                                         const RequestEstimate& guess, Admission& quota) {
  quota.holds =
      services.governor.plan_provider(provider.limits, provider.name, guess.input_tokens, guess.output_tokens);
  if (quota.holds.empty()) co_return std::nullopt;
  std::optional<Refusal> refusal;
  if (co_await count(services.governor, quota, refusal) != Governor::Verdict::refused || !refusal)
    co_return std::nullopt;
  refusal->error.message = fmt::format("provider {} is at its quota (providers.{}.limits): {}", provider.name,
                                       provider.name, refusal->error.message);
  refusal->error.retryable = true;  // another route may serve
  co_return refusal;
}

RequestEstimate estimate(const ClientRequest& request) {
  const std::string_view model = request.view.model;
  const std::optional<ModelSpec> spec =
      ModelSpecs::builtin().find(model.find('/') == std::string_view::npos ? model : model.substr(model.find('/') + 1));
  const int64_t model_cap = spec && spec->max_output_tokens > 0 ? spec->max_output_tokens : kDefaultOutputCap;
  return RequestEstimate{static_cast<int64_t>(request.body.size() / 4),
                         std::min(output_cap(request.body).value_or(model_cap), model_cap)};
}

Task<std::optional<Error>> admit(RequestContext& context, const Services& services, const ClientRequest& request,
                                 Admission& admission) {
  const ClientIdentity& who = context.client;
  const Config& config = *context.config;
  const std::string_view model = request.view.model;
  // The model asked for, and the fallback models the request names itself (`models`,
  // providerOptions.gateway.models): a key may not reach through those a model it may not use.
  const std::vector<std::string>& fallbacks = request.view.gateway.models;
  for (const AccessPolicy* access :
       {who.key ? &who.key->access : nullptr, who.policy ? &who.policy->access : nullptr}) {
    if (!access) continue;
    const bool model_allowed = allowed(access->models, model);
    const auto refused = std::find_if(fallbacks.begin(), fallbacks.end(),
                                      [&](const std::string& id) { return !allowed(access->models, id); });
    if (model_allowed && refused == fallbacks.end()) continue;
    Error error =
        make_error(ErrorKind::forbidden,
                   fmt::format("this key may not use the model '{}'; it may use: {}",
                               model_allowed ? std::string_view(*refused) : model, fmt::join(access->models, ", ")),
                   model_allowed ? "models" : "model");
    co_return error;
  }
  const auto found = config.models.find(model);
  Demand demand;
  demand.key = who.key;
  demand.team = who.policy;
  demand.team_name = who.team;
  demand.user = !request.view.gateway.user.empty() ? std::string_view(request.view.gateway.user)
                : who.key                          ? std::string_view(who.key->user)
                                                   : std::string_view();
  demand.model_id = model;
  demand.model_limits = found != config.models.end() && found->second.limits.any() ? &found->second.limits : nullptr;
  if (!Governor::counts(demand)) co_return std::nullopt;  // nothing to count against: no estimate made

  const RequestEstimate guess = estimate(request);
  demand.input_tokens = guess.input_tokens;
  demand.output_tokens = guess.output_tokens;
  if (const std::optional<Price> price = reservation_price(config, model))
    demand.cost_micros = static_cast<int64_t>(
        std::ceil(cost_usd(*price, TokenCounts{demand.input_tokens, demand.output_tokens, 0, 0}) * 1e6));
  admission.holds = services.governor.plan(demand);
  if (admission.holds.empty()) co_return std::nullopt;

  std::optional<Refusal> refusal;
  const Governor::Verdict verdict = co_await count(services.governor, admission, refusal);
  const bool anthropic = std::string_view(context.endpoint).starts_with("/v1/messages");
  const int64_t now = services.wall_ms();
  if (verdict == Governor::Verdict::refused && refusal) {
    add_rate_headers(context, refusal->rate, anthropic, now);
    if (refusal->retry_after_s > 0)
      context.answer_headers.emplace_back("retry-after", std::to_string(refusal->retry_after_s));
    co_return refusal->error;
  }
  add_rate_headers(context, admission.rate, anthropic, now);
  if (!admission.over_budget.empty()) {
    context.answer_headers.emplace_back("x-switchyard-budget", "exceeded; " + admission.over_budget);
    spdlog::info("{}: served over the soft budget of {}", context.id, admission.over_budget);
  }
  co_return std::nullopt;
}

void settle(const RequestContext& context, const Services& services, Admission& admission) {
  if (admission.holds.empty() || admission.settled) return;
  // An answer that came (whole, cut short or cancelled) is charged for what its usage says was
  // delivered; one that never came costs nothing; one whose usage never came keeps its reservation.
  const bool answered =
      !context.attempts.empty() && context.attempts.back().status >= 200 && context.attempts.back().status < 300;
  Usage used;
  if (!answered) {
    used.tokens_known = true;
    used.cost_micros = 0;
  } else if (context.facts.usage) {
    used.tokens_known = true;
    used.input_tokens = context.facts.usage->input;
    used.output_tokens = context.facts.usage->output;
    if (context.cost) used.cost_micros = static_cast<int64_t>(std::ceil(*context.cost * 1e6));
  }
  services.governor.settle(admission, used);
}

RouteQuotas::~RouteQuotas() {
  const auto& attempts = context_.attempts;
  for (Taken& taken : taken_) {
    if (taken.attempt >= attempts.size())
      services_.governor.cancel(taken.quota);  // no attempt was made
    else if (taken.attempt + 1 == attempts.size())
      settle(context_, services_, taken.quota);  // the last attempt: at the answer's usage, if it answered
    else
      services_.governor.settle(taken.quota, Usage{.tokens_known = true, .cost_micros = 0});
  }
}

}  // namespace switchyard
