#pragma once
// The authenticate phase: a gateway key (Authorization: Bearer, or x-api-key) -> its team.
#include <string>
#include <variant>

#include "core/client_identity.h"
#include "core/config.h"
#include "core/error.h"
#include "governance/key_table.h"
#include "server/asio.h"

namespace switchyard {

// The keys are those of `keys` (the file's and the admin API's). With none at all every request
// is let in (as team "default"). A key is found by its digest; the admin key is compared in
// constant time. A revoked key, or one past its expiry (`now_ms`), is refused.
std::variant<ClientIdentity, Error> authenticate(const Config& config, std::shared_ptr<const KeySnapshot> keys,
                                                 const http::request_header<>& header, int64_t now_ms);

}  // namespace switchyard
