#pragma once
// Who is asking: what the authenticate phase learns from a gateway key.
#include <memory>
#include <string>

#include "core/config.h"

namespace switchyard {

struct KeySnapshot;

struct ClientIdentity {
  std::string team;    // "default" when the gateway runs without keys
  std::string key_id;  // empty when the gateway runs without keys
  bool admin = false;  // presented `admin_key`: sees every team's records
  // The key presented and its team's policy (either may be null), alive as long as `keys`.
  std::shared_ptr<const KeySnapshot> keys;
  const ApiKey* key = nullptr;
  const TeamPolicy* policy = nullptr;
};

}  // namespace switchyard
