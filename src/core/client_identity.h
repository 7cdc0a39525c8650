#pragma once
// Who is asking: what the authenticate phase learns from a gateway key.
#include <string>

namespace switchyard {

struct ClientIdentity {
  std::string team;    // "default" when the gateway runs without keys
  std::string key_id;  // empty when the gateway runs without keys
  bool admin = false;  // presented `admin_key`: sees every team's records
};

}  // namespace switchyard
