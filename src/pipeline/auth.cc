#include "pipeline/auth.h"

#include "core/digest.h"

namespace switchyard {
namespace {

// The `key` parameter of the target's query (Google's SDKs may send the key so), else empty.
std::string_view query_key(std::string_view target) {
  std::size_t query = target.find('?');
  if (query == std::string_view::npos) return {};
  for (std::string_view rest = target.substr(query + 1); !rest.empty();) {
    std::string_view pair = rest.substr(0, rest.find('&'));
    rest.remove_prefix(std::min(rest.size(), pair.size() + 1));
    if (pair.starts_with("key=")) return pair.substr(4);
  }
  return {};
}

// The key as each client family sends it: OpenAI's bearer token, Anthropic's x-api-key, Google's
// x-goog-api-key or ?key=.
std::string_view presented_key(const http::request_header<>& header) {
  std::string_view authorization = header[http::field::authorization];
  if (authorization.size() > 7 && beast::iequals(authorization.substr(0, 7), "Bearer ")) return authorization.substr(7);
  if (std::string_view key = header["x-api-key"]; !key.empty()) return key;
  if (std::string_view key = header["x-goog-api-key"]; !key.empty()) return key;
  return query_key(header.target());
}

}  // namespace

std::variant<ClientIdentity, Error> authenticate(const Config& config, std::shared_ptr<const KeySnapshot> keys,
                                                 const http::request_header<>& header, int64_t now_ms) {
  std::string_view key = presented_key(header);
  if (!config.admin_key_sha256.empty() && !key.empty() && constant_time_equal(config.admin_key_sha256, sha256(key)))
    return ClientIdentity{"admin", "admin", true};
  if (!keys->any_keys()) return ClientIdentity{"default", ""};
  if (key.empty())
    return make_error(ErrorKind::unauthorized,
                      "missing API key: send it as 'Authorization: Bearer <key>' or in the 'x-api-key' (or "
                      "'x-goog-api-key') header");
  const ApiKey* match = keys->find_digest(sha256(key));
  if (!match) return make_error(ErrorKind::unauthorized, "invalid API key");
  if (match->revoked) return make_error(ErrorKind::unauthorized, "this API key was revoked");
  if (match->expires_ms && now_ms >= *match->expires_ms)
    return make_error(ErrorKind::unauthorized, "this API key has expired");
  ClientIdentity identity{match->team, match->key_id};
  identity.key = match;
  identity.policy = keys->team(match->team);
  identity.keys = std::move(keys);
  return identity;
}

}  // namespace switchyard
