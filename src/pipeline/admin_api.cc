#include "pipeline/admin_api.h"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <limits>

#include "governance/key_json.h"
#include "pipeline/responses.h"
#include "translate/client_text.h"
#include "translate/json_parse.h"

namespace switchyard {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxListed = 10'000;  // keys or teams in one list answer

Error admin_error(ErrorKind kind, std::string message, std::string param = {}) {
  return make_error(kind, std::move(message), std::move(param));
}

// What is wrong with a field of the body ("limits.rpm: must be ..."): 400 naming it in `param` too.
Error field_error(const std::string& problem) {
  const std::size_t colon = problem.find(": ");
  return admin_error(ErrorKind::bad_request, problem,
                     colon == std::string::npos ? std::string() : problem.substr(0, colon));
}

// The spend shown beside a key or a team: in its budget's period, else this month.
double period_spend(RecordStore& store, const BudgetScope& scope, const std::optional<Budget>& budget, int64_t now) {
  return spent_since(store, scope, period_start_ms(budget ? budget->period : BudgetPeriod::month, now));
}

json::object with_spend(json::object view, double spent, const std::optional<Budget>& budget, int64_t now) {
  json::object spend{{"usd", spent},
                     {"period", to_string(budget ? budget->period : BudgetPeriod::month)},
                     {"since", iso_time_of(period_start_ms(budget ? budget->period : BudgetPeriod::month, now))}};
  if (budget) spend["remaining_usd"] = std::max(0.0, budget->usd - spent);
  view["spend"] = std::move(spend);
  return view;
}

json::object list_of(json::array data) {
  json::object list;
  list["object"] = "list";
  list["data"] = std::move(data);
  return list;
}

class AdminCall {
 public:
  AdminCall(RequestContext& context, Exchange& exchange, const Records& records, const Services& services)
      : context_(context), exchange_(exchange), records_(records), services_(services), now_(services.wall_ms()) {}

  Task<> serve() {
    if (!context_.client.admin) {
      Error error = admin_error(ErrorKind::forbidden, "the admin API needs the gateway's admin_key");
      error.code = "admin_key_required";
      co_return co_await fail(error);
    }
    const std::string_view target = exchange_.request().target();
    std::string_view path = target.substr(0, target.find('?'));
    path.remove_prefix(std::string_view("/v1/admin/").size());
    const bool keys = path.starts_with("keys");
    std::string_view rest = path.substr(keys ? 4 : 5);
    std::optional<std::string> id;
    if (!rest.empty()) {
      auto decoded = percent_decode(rest.substr(1));
      if (!decoded || decoded->empty()) co_return co_await fail(admin_error(ErrorKind::not_found, "no such entry"));
      id = std::move(*decoded);
    }
    const http::verb method = exchange_.request().method();
    if (keys) {
      if (!id && method == http::verb::post) co_return co_await create_key();
      if (!id) co_return co_await list_keys();
      if (method == http::verb::patch || method == http::verb::delete_) co_return co_await change_key(*id, method);
      co_return co_await read_key(*id);
    }
    if (!id && method == http::verb::post) co_return co_await create_team();
    if (!id) co_return co_await list_teams();
    if (method == http::verb::patch) co_return co_await change_team(*id);
    co_return co_await read_team(*id);
  }

 private:
  // By value: callers pass temporaries, which g++ 12 mishandles as a coroutine's reference parameter.
  Task<> fail(Error error) { co_await exchange_.respond(openai_error_response(context_.id, error)); }
  Task<> answer(unsigned status, json::value body) {
    co_await exchange_.respond(json_response(context_.id, status, serialize_json(body)));
  }

  // The request body as a JSON object, or the error to answer.
  std::variant<json::object, Error> body_object() const {
    boost::system::error_code ec;
    json::value value = parse_json(exchange_.request().body(), ec);
    if (ec || !value.is_object()) return admin_error(ErrorKind::bad_request, "the body must be a JSON object");
    return std::move(value.get_object());
  }

  // Runs a store write on the blocking pool: nullopt when done, else the error to answer. Callers
  // make `write` a named local: g++ 12 destroys a lambda made inside a co_await expression twice.
  Task<std::optional<Error>> store_call(std::function<bool()> write) {
    auto done = co_await ask_store(std::move(write));
    if (auto* error = std::get_if<Error>(&done)) co_return *error;
    co_return std::nullopt;
  }

  // What `scope` spent in `budget`'s period (this month without one); `scope` and `budget` are
  // copied before the first suspension.
  Task<std::variant<double, Error>> spend_of(const BudgetScope& scope, const std::optional<Budget>& budget) {
    std::function<double()> query = [store = &records_.store, scope, budget, now = now_] {
      return period_spend(*store, scope, budget, now);
    };
    co_return co_await ask_store(std::move(query));
  }

  // Stores `key` (through the blocking pool); nullopt when done.
  Task<std::optional<Error>> save_key(const ApiKey& key) {
    std::function<bool()> write = [store = &records_.store, row = key_row(key)] {
      store->put_key(row);
      return true;
    };
    co_return co_await store_call(std::move(write));
  }

  // `secret`: the new key's, shown this once (null on every other read).
  Task<> key_answer(unsigned status, const ApiKey& key, const std::string* secret = nullptr) {
    const BudgetScope scope{BudgetScope::Whose::key, key.team, key.key_id, {}};
    auto spent = co_await spend_of(scope, key.access.budget);
    if (auto* error = std::get_if<Error>(&spent)) co_return co_await fail(*error);
    json::object view = with_spend(key_view(key), std::get<double>(spent), key.access.budget, now_);
    if (secret) view["key"] = *secret;
    co_await answer(status, view);
  }

  Task<> create_key() {
    auto body = body_object();
    if (auto* error = std::get_if<Error>(&body)) co_return co_await fail(*error);
    const json::object& fields = std::get<json::object>(body);
    if (!fields.contains("team"))
      co_return co_await fail(admin_error(ErrorKind::bad_request, "team: is required", "team"));
    auto [secret, key] = mint_key(now_);
    if (auto problem = apply_key_fields(fields, key)) co_return co_await fail(field_error(*problem));
    if (auto error = co_await save_key(key)) co_return co_await fail(*error);
    services_.keys.merge({key}, {});
    co_await key_answer(201, key, &secret);
  }

  Task<> list_keys() {
    const std::optional<std::string> team = query_param(exchange_.request().target(), "team");
    const auto snapshot = services_.keys.snapshot();
    json::array data;
    for (const auto& [id, key] : snapshot->by_id) {
      if (team && key->team != *team) continue;
      if (data.size() >= kMaxListed) break;
      data.push_back(key_view(*key));
    }
    // Spend per key comes with each key's own read; a list shows the keys and the team's spend.
    co_await answer(200, list_of(std::move(data)));
  }

  Task<> read_key(const std::string& id) {
    const auto snapshot = services_.keys.snapshot();
    auto found = snapshot->by_id.find(id);
    if (found == snapshot->by_id.end()) co_return co_await fail(no_key(id));
    co_await key_answer(200, *found->second);
  }

  Task<> change_key(const std::string& id, http::verb method) {
    const auto snapshot = services_.keys.snapshot();
    auto found = snapshot->by_id.find(id);
    if (found == snapshot->by_id.end()) co_return co_await fail(no_key(id));
    if (found->second->from_file)
      co_return co_await fail(admin_error(ErrorKind::bad_request,
                                          "key " + id + " is defined in the config file (auth.keys): change it there"));
    ApiKey key = *found->second;
    if (method == http::verb::delete_) {
      key.revoked = true;
    } else {
      auto body = body_object();
      if (auto* error = std::get_if<Error>(&body)) co_return co_await fail(*error);
      if (auto problem = apply_key_fields(std::get<json::object>(body), key))
        co_return co_await fail(field_error(*problem));
    }
    key.updated_ms = std::max(now_, key.updated_ms + 1);
    if (auto error = co_await save_key(key)) co_return co_await fail(*error);
    services_.keys.merge({key}, {});
    co_await key_answer(200, key);
  }

  Task<> team_answer(unsigned status, const TeamPolicy& team, bool from_file) {
    const BudgetScope scope{BudgetScope::Whose::team, team.name, {}, {}};
    auto spent = co_await spend_of(scope, team.access.budget);
    if (auto* error = std::get_if<Error>(&spent)) co_return co_await fail(*error);
    co_await answer(status, with_spend(team_view(team, from_file), std::get<double>(spent), team.access.budget, now_));
  }

  bool team_from_file(const std::string& name) const { return context_.config->teams.contains(name); }

  Task<> create_team() {
    auto body = body_object();
    if (auto* error = std::get_if<Error>(&body)) co_return co_await fail(*error);
    const json::object& fields = std::get<json::object>(body);
    const json::value* name = fields.if_contains("name");
    if (!name || !name->is_string() || name->get_string().empty() || name->get_string().size() > 256 ||
        check_client_text(name->get_string(), "name", 256))
      co_return co_await fail(
          admin_error(ErrorKind::bad_request, "name: is required (printable, at most 256 bytes)", "name"));
    TeamPolicy team;
    team.name = name->get_string();
    if (services_.keys.snapshot()->team(team.name)) {
      Error error = admin_error(ErrorKind::bad_request, "team " + team.name + " exists: PATCH it instead");
      error.status = 409;
      error.code = "team_exists";
      co_return co_await fail(error);
    }
    if (auto problem = apply_team_fields(fields, team)) co_return co_await fail(field_error(*problem));
    co_await save_team(std::move(team), 201);
  }

  Task<> save_team(TeamPolicy team, unsigned status) {
    team.updated_ms = std::max(now_, team.updated_ms + 1);
    std::function<bool()> write = [store = &records_.store,
                                   row = PolicyRow{team.name, team.name, team.updated_ms, team_body(team)}] {
      store->put_team(row);
      return true;
    };
    if (auto error = co_await store_call(std::move(write))) co_return co_await fail(*error);
    services_.keys.merge({}, {team});
    co_await team_answer(status, team, false);
  }

  Task<> list_teams() {
    const auto snapshot = services_.keys.snapshot();
    json::array data;
    for (const auto& [name, team] : snapshot->teams) {
      if (data.size() >= kMaxListed) break;
      data.push_back(team_view(team, team_from_file(name)));
    }
    co_await answer(200, list_of(std::move(data)));
  }

  Task<> read_team(const std::string& name) {
    const auto snapshot = services_.keys.snapshot();
    const TeamPolicy* team = snapshot->team(name);
    if (!team) co_return co_await fail(no_team(name));
    co_await team_answer(200, *team, team_from_file(name));
  }

  Task<> change_team(const std::string& name) {
    const auto snapshot = services_.keys.snapshot();
    const TeamPolicy* found = snapshot->team(name);
    if (!found) co_return co_await fail(no_team(name));
    if (team_from_file(name))
      co_return co_await fail(admin_error(ErrorKind::bad_request,
                                          "team " + name + " is defined in the config file (teams): change it there"));
    TeamPolicy team = *found;
    auto body = body_object();
    if (auto* error = std::get_if<Error>(&body)) co_return co_await fail(*error);
    if (auto problem = apply_team_fields(std::get<json::object>(body), team))
      co_return co_await fail(field_error(*problem));
    co_await save_team(std::move(team), 200);
  }

  static PolicyRow key_row(const ApiKey& key) { return PolicyRow{key.key_id, key.team, key.updated_ms, key_body(key)}; }
  static Error no_key(const std::string& id) {
    return admin_error(ErrorKind::not_found, "no key " + valid_utf8(id) + " on this gateway");
  }
  static Error no_team(const std::string& name) {
    return admin_error(ErrorKind::not_found, "no team " + valid_utf8(name) + " on this gateway");
  }

  RequestContext& context_;
  Exchange& exchange_;
  const Records& records_;
  const Services& services_;
  const int64_t now_;
};

}  // namespace

double spent_since(RecordStore& store, const BudgetScope& scope, int64_t since_ms) {
  ReportQuery query;
  query.group_by = "team";
  query.start_ms = since_ms;
  query.end_ms = std::numeric_limits<int64_t>::max();
  query.team = scope.team;
  if (scope.kind == BudgetScope::Whose::key) query.key_id = scope.key_id;
  if (scope.kind == BudgetScope::Whose::user) query.user = scope.user;
  double spent = 0;
  for (const auto& row : store.report(query)) spent += row.total_cost;
  return spent;
}

Task<> admin_api(RequestContext& context, Exchange& exchange, const Records& records, const Services& services) {
  AdminCall call(context, exchange, records, services);
  co_await call.serve();
}

Task<> credits_api(RequestContext& context, Exchange& exchange, const Records& records) {
  const ClientIdentity& who = context.client;
  std::function<std::pair<double, std::optional<double>>()> query = [&records, who] {
    ReportQuery all;
    all.group_by = "team";
    all.start_ms = 0;
    all.end_ms = std::numeric_limits<int64_t>::max();
    if (!who.admin) all.team = who.team;
    double used = 0;
    for (const auto& row : records.store.report(all)) used += row.total_cost;
    std::optional<double> balance;
    const int64_t now = unix_now_ms();
    auto tighten = [&](const std::optional<Budget>& budget, const BudgetScope& scope) {
      if (!budget) return;
      const double left =
          std::max(0.0, budget->usd - spent_since(records.store, scope, period_start_ms(budget->period, now)));
      balance = balance ? std::min(*balance, left) : left;
    };
    if (who.key) tighten(who.key->access.budget, BudgetScope{BudgetScope::Whose::key, who.team, who.key_id, {}});
    if (who.policy) tighten(who.policy->access.budget, BudgetScope{BudgetScope::Whose::team, who.team, {}, {}});
    return std::pair{used, balance};
  };
  auto figures = co_await ask_store(std::move(query));
  if (auto* error = std::get_if<Error>(&figures)) {
    co_await exchange.respond(openai_error_response(context.id, *error));
    co_return;
  }
  const auto& [used, balance] = std::get<std::pair<double, std::optional<double>>>(figures);
  json::object credits;
  credits["balance"] = balance ? fmt::format("{:.6f}", *balance) : std::string("unlimited");
  credits["total_used"] = fmt::format("{:.6f}", used);
  // Whose figures these are: the key's team (the dashboard says which team it shows); none for the admin key.
  credits["team"] = context.client.admin ? json::value(nullptr) : json::value(context.client.team);
  co_await exchange.respond(json_response(context.id, 200, serialize_json(credits)));
}

}  // namespace switchyard
