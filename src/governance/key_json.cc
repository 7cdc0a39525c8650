#include "governance/key_json.h"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <cctype>

#include "core/calendar.h"
#include "core/digest.h"
#include "translate/json_parse.h"

namespace switchyard {
namespace {

namespace json = boost::json;

json::array names_json(const std::vector<std::string>& names) {
  json::array out;
  for (const auto& name : names) out.emplace_back(name);
  return out;
}

// A list of names, or what is wrong with it.
std::optional<std::string> read_names(const json::value& value, std::string_view field, std::vector<std::string>& out) {
  const json::array* array = value.if_array();
  if (!array && !value.is_null()) return fmt::format("{}: must be a list of names", field);
  std::vector<std::string> names;
  if (array)
    for (const auto& item : *array) {
      if (!item.is_string() || item.get_string().empty() || item.get_string().size() > 256)
        return fmt::format("{}: must be a list of names (non-empty strings)", field);
      names.emplace_back(item.get_string());
    }
  if (names.size() > 1000) return fmt::format("{}: at most 1000 names", field);
  out = std::move(names);
  return std::nullopt;
}

std::optional<std::string> read_text(const json::value& value, std::string_view field, std::string& out,
                                     bool may_be_empty = true) {
  if (!value.is_string() || value.get_string().size() > 256 || (!may_be_empty && value.get_string().empty()))
    return fmt::format("{}: must be a string of at most 256 characters{}", field, may_be_empty ? "" : ", not empty");
  out = value.get_string();
  return std::nullopt;
}

std::optional<std::string> read_optional_budget(const json::value& value, std::string_view field,
                                                std::optional<Budget>& out) {
  if (value.is_null()) {
    out.reset();
    return std::nullopt;
  }
  Budget budget;
  if (auto problem = read_budget(value, field, budget)) return problem;
  out = budget;
  return std::nullopt;
}

json::value budget_or_null(const std::optional<Budget>& budget) {
  return budget ? json::value(budget_json(*budget)) : json::value(nullptr);
}

std::optional<json::object> parse_object(std::string_view body) {
  boost::system::error_code ec;
  json::value value = parse_json(body, ec);
  if (ec || !value.is_object()) return std::nullopt;
  return std::move(value.get_object());
}

}  // namespace

MintedKey mint_key(int64_t now_ms) {
  MintedKey minted;
  minted.secret = "sk-sy-" + to_hex(random_bytes(24));
  ApiKey& key = minted.key;
  key.from_file = false;
  key.sha256 = sha256(minted.secret);
  key.key_id = "key_" + to_hex(key.sha256).substr(0, 16);
  key.prefix = minted.secret.substr(0, 10);
  key.created_ms = key.updated_ms = now_ms;
  return minted;
}

json::object key_view(const ApiKey& key) {
  json::object out{{"id", key.key_id},
                   {"prefix", key.prefix},
                   {"name", key.name},
                   {"team", key.team},
                   {"user", key.user.empty() ? json::value(nullptr) : json::value(key.user)},
                   {"models", names_json(key.access.models)},
                   {"providers", names_json(key.access.providers)},
                   {"limits", limits_json(key.access.limits)},
                   {"budget", budget_or_null(key.access.budget)},
                   {"expires_at", key.expires_ms ? json::value(iso_time_of(*key.expires_ms)) : json::value(nullptr)},
                   {"revoked", key.revoked},
                   {"source", key.from_file ? "config" : "api"}};
  out["metadata"] = parse_object(key.metadata).value_or(json::object());
  if (key.created_ms) out["created_at"] = iso_time_of(key.created_ms);
  if (key.updated_ms) out["updated_at"] = iso_time_of(key.updated_ms);
  return out;
}

std::string key_body(const ApiKey& key) {
  json::object body = key_view(key);
  body["digest"] = to_hex(key.sha256);
  body["created_ms"] = key.created_ms;
  body["updated_ms"] = key.updated_ms;
  if (key.expires_ms) body["expires_ms"] = *key.expires_ms;
  return serialize_json(body);
}

std::optional<ApiKey> key_from_body(std::string_view text) {
  auto body = parse_object(text);
  if (!body) return std::nullopt;
  const json::value* digest = body->if_contains("digest");
  const json::value* id = body->if_contains("id");
  if (!digest || !digest->is_string() || !id || !id->is_string()) return std::nullopt;
  auto raw = from_hex(digest->get_string());
  if (!raw) return std::nullopt;
  ApiKey key;
  key.from_file = false;
  key.sha256 = std::move(*raw);
  key.key_id = id->get_string();
  auto text_of = [&](const char* name) -> std::string {
    const json::value* v = body->if_contains(name);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
  };
  auto number_of = [&](const char* name) -> std::optional<int64_t> {
    const json::value* v = body->if_contains(name);
    return v && v->is_int64() ? std::optional(v->get_int64()) : std::nullopt;
  };
  key.prefix = text_of("prefix");
  key.created_ms = number_of("created_ms").value_or(0);
  key.updated_ms = number_of("updated_ms").value_or(0);
  key.expires_ms = number_of("expires_ms");
  if (const json::value* revoked = body->if_contains("revoked"); revoked && revoked->is_bool())
    key.revoked = revoked->get_bool();
  json::object fields;
  for (const char* name : {"team", "user", "name", "models", "providers", "limits", "budget", "metadata"})
    if (const json::value* v = body->if_contains(name); v && !(v->is_null() && std::string_view(name) == "user"))
      fields[name] = *v;
  if (auto problem = apply_key_fields(fields, key)) return std::nullopt;
  return key;
}

json::object team_view(const TeamPolicy& team, bool from_file) {
  json::object out{{"name", team.name},
                   {"segment", team.segment},
                   {"limits", limits_json(team.access.limits)},
                   {"budget", budget_or_null(team.access.budget)},
                   {"models", names_json(team.access.models)},
                   {"providers", names_json(team.access.providers)},
                   {"user_limits", limits_json(team.user_limits)},
                   {"user_budget", budget_or_null(team.user_budget)},
                   {"source", from_file ? "config" : "api"}};
  if (team.updated_ms) out["updated_at"] = iso_time_of(team.updated_ms);
  return out;
}

std::string team_body(const TeamPolicy& team) {
  json::object body = team_view(team, false);
  body["updated_ms"] = team.updated_ms;
  return serialize_json(body);
}

std::optional<TeamPolicy> team_from_body(std::string_view text) {
  auto body = parse_object(text);
  if (!body) return std::nullopt;
  const json::value* name = body->if_contains("name");
  if (!name || !name->is_string()) return std::nullopt;
  TeamPolicy team;
  team.name = name->get_string();
  if (const json::value* updated = body->if_contains("updated_ms"); updated && updated->is_int64())
    team.updated_ms = updated->get_int64();
  json::object fields;
  for (const char* field : {"segment", "limits", "budget", "models", "providers", "user_limits", "user_budget"})
    if (const json::value* v = body->if_contains(field)) fields[field] = *v;
  if (auto problem = apply_team_fields(fields, team)) return std::nullopt;
  return team;
}

std::optional<std::string> apply_key_fields(const json::object& fields, ApiKey& key) {
  ApiKey next = key;
  for (const auto& [name, value] : fields) {
    std::optional<std::string> problem;
    if (name == "team")
      problem = read_text(value, "team", next.team, false);
    else if (name == "user")
      problem = value.is_null() ? (next.user.clear(), std::nullopt) : read_text(value, "user", next.user);
    else if (name == "name")
      problem = read_text(value, "name", next.name);
    else if (name == "models")
      problem = read_names(value, "models", next.access.models);
    else if (name == "providers")
      problem = read_names(value, "providers", next.access.providers);
    else if (name == "limits")
      problem =
          value.is_null() ? (next.access.limits = {}, std::nullopt) : read_limits(value, "limits", next.access.limits);
    else if (name == "budget")
      problem = read_optional_budget(value, "budget", next.access.budget);
    else if (name == "metadata") {
      if (!value.is_object())
        problem = "metadata: must be an object";
      else if (auto text = serialize_json(value); text.size() > 16384)
        problem = "metadata: at most 16 KiB";
      else
        next.metadata = std::move(text);
    } else if (name == "expires_at") {
      if (value.is_null())
        next.expires_ms.reset();
      else if (auto ms = value.is_string() ? unix_ms_of(value.get_string()) : std::nullopt)
        next.expires_ms = ms;
      else
        problem = "expires_at: must be an ISO 8601 time (2027-01-31T00:00:00Z) or a date (2027-01-31), or null";
    } else {
      problem = fmt::format(
          "{}: unknown field (expected team, user, name, models, providers, limits, budget, "
          "metadata, expires_at)",
          std::string_view(name));
    }
    if (problem) return problem;
  }
  key = std::move(next);
  return std::nullopt;
}

std::optional<std::string> apply_team_fields(const json::object& fields, TeamPolicy& team) {
  TeamPolicy next = team;
  for (const auto& [name, value] : fields) {
    std::optional<std::string> problem;
    if (name == "segment")
      problem = read_text(value, "segment", next.segment);
    else if (name == "limits")
      problem =
          value.is_null() ? (next.access.limits = {}, std::nullopt) : read_limits(value, "limits", next.access.limits);
    else if (name == "budget")
      problem = read_optional_budget(value, "budget", next.access.budget);
    else if (name == "models")
      problem = read_names(value, "models", next.access.models);
    else if (name == "providers")
      problem = read_names(value, "providers", next.access.providers);
    else if (name == "user_limits")
      problem =
          value.is_null() ? (next.user_limits = {}, std::nullopt) : read_limits(value, "user_limits", next.user_limits);
    else if (name == "user_budget")
      problem = read_optional_budget(value, "user_budget", next.user_budget);
    else if (name != "name")
      problem = fmt::format(
          "{}: unknown field (expected segment, limits, budget, models, providers, user_limits, "
          "user_budget)",
          std::string_view(name));
    if (problem) return problem;
  }
  team = std::move(next);
  return std::nullopt;
}

}  // namespace switchyard
