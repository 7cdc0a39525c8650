#pragma once
// Keys and teams as JSON: the admin API's view (never a secret or a digest), the record store's
// body (the view plus the digest), and the admin API's fields applied to an entry (create and
// PATCH take the same fields).
#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/calendar.h"
#include "core/config.h"

namespace switchyard {

// {id, prefix, name, team, user, models, providers, limits, budget, metadata, expires_at,
// revoked, created_at, updated_at, source}; times in ISO 8601 (UTC).
boost::json::object key_view(const ApiKey& key);
std::string key_body(const ApiKey& key);
std::optional<ApiKey> key_from_body(std::string_view body);

// {name, segment, limits, budget, models, providers, user_limits, user_budget, updated_at, source}
boost::json::object team_view(const TeamPolicy& team, bool from_file);
std::string team_body(const TeamPolicy& team);
std::optional<TeamPolicy> team_from_body(std::string_view body);

// Lays the admin API's fields of `fields` over `key`: team, user, name, models, providers,
// limits, budget (null removes it), metadata (an object), expires_at (ISO 8601 or a date, null
// removes it). Returns what is wrong, naming the field; `key` is unchanged then.
std::optional<std::string> apply_key_fields(const boost::json::object& fields, ApiKey& key);
// The same for a team: segment, limits, budget, models, providers, user_limits, user_budget.
std::optional<std::string> apply_team_fields(const boost::json::object& fields, TeamPolicy& team);

// A new key made at `now_ms`: its secret ("sk-sy-" and 48 hex digits from the system's CSPRNG)
// and the key as stored: the secret's SHA-256, id "key_" + the digest's first 16 hex digits,
// prefix the secret's first 10 characters. Fields are then laid over it with apply_key_fields.
struct MintedKey {
  std::string secret;
  ApiKey key;
};
MintedKey mint_key(int64_t now_ms);

}  // namespace switchyard
