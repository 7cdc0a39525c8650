#include "pipeline/auth.h"

#include "core/digest.h"

namespace switchyard {
namespace {

std::string_view presented_key(const http::request_header<>& header) {
  std::string_view authorization = header[http::field::authorization];
  if (authorization.size() > 7 && beast::iequals(authorization.substr(0, 7), "Bearer ")) return authorization.substr(7);
  return header["x-api-key"];
}

}  // namespace

std::variant<ClientIdentity, Error> authenticate(const Config& config, const http::request_header<>& header) {
  std::string_view key = presented_key(header);
  if (!config.admin_key_sha256.empty() && !key.empty() && constant_time_equal(config.admin_key_sha256, sha256(key)))
    return ClientIdentity{"admin", "admin", true};
  if (config.keys.empty()) return ClientIdentity{"default", ""};
  if (key.empty())
    return make_error(ErrorKind::unauthorized,
                      "missing API key: send it as 'Authorization: Bearer <key>' or in the 'x-api-key' header");
  std::string digest = sha256(key);
  const ApiKey* match = nullptr;
  for (const auto& candidate : config.keys)
    if (constant_time_equal(candidate.sha256, digest)) match = &candidate;
  if (!match) return make_error(ErrorKind::unauthorized, "invalid API key");
  return ClientIdentity{match->team, match->key_id};
}

}  // namespace switchyard
