#pragma once
// The authenticate phase: a gateway key (Authorization: Bearer, or x-api-key) -> its team.
#include <string>
#include <variant>

#include "core/client_identity.h"
#include "core/config.h"
#include "core/error.h"
#include "server/asio.h"

namespace switchyard {

// With no keys configured every request is let in. Keys are compared by digest, in constant time.
std::variant<ClientIdentity, Error> authenticate(const Config& config, const http::request_header<>& header);

}  // namespace switchyard
