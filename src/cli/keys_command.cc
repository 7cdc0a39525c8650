#include "cli/keys_command.h"

#include <boost/json.hpp>
#include <cstdio>
#include <limits>

#include "cli/command_inputs.h"
#include "governance/key_json.h"
#include "governance/quota_state.h"
#include "translate/json_parse.h"

namespace switchyard {
namespace {

namespace json = boost::json;

void print(const json::object& object) { std::printf("%s\n", serialize_json(object).c_str()); }

// The store's current entry of every key made through the admin API or this command.
std::vector<ApiKey> stored_keys(RecordStore& store) {
  std::vector<ApiKey> keys;
  for (const PolicyRow& row : store.keys_changed_since(0, std::numeric_limits<std::size_t>::max()))
    if (auto key = key_from_body(row.body)) keys.push_back(std::move(*key));
  return keys;
}

// `text` as the admin API's fields; an empty text is no fields.
std::optional<json::object> fields_of(const std::string& text) {
  if (text.empty()) return json::object();
  boost::system::error_code ec;
  json::value value = parse_json(text, ec);
  if (ec || !value.is_object()) return std::nullopt;
  return std::move(value.get_object());
}

void save(RecordStore& store, const ApiKey& key) {
  store.put_key(PolicyRow{key.key_id, key.team, key.updated_ms, key_body(key)});
}

}  // namespace

int run_keys(const KeysCommand& command) {
  auto fields = fields_of(command.fields);
  if (!fields) {
    std::fprintf(stderr, "--fields: must be a JSON object of the admin API's key fields\n");
    return 2;
  }
  if (!command.team.empty()) (*fields)["team"] = command.team;
  auto opened = open_configured_store(command.config_path);
  if (auto* code = std::get_if<int>(&opened)) return *code;
  RecordStore& store = *std::get<ConfiguredStore>(opened).store;
  const int64_t now = unix_now_ms();
  try {
    if (command.action == "create") {
      if (!fields->contains("team")) {
        std::fprintf(stderr, "--team: is required\n");
        return 2;
      }
      auto [secret, key] = mint_key(now);
      if (auto problem = apply_key_fields(*fields, key)) {
        std::fprintf(stderr, "%s\n", problem->c_str());
        return 2;
      }
      save(store, key);
      json::object view = key_view(key);
      view["key"] = secret;
      print(view);
      return 0;
    }
    std::vector<ApiKey> keys = stored_keys(store);
    if (command.action == "list") {
      for (const ApiKey& key : keys)
        if (command.team.empty() || key.team == command.team) print(key_view(key));
      return 0;
    }
    auto found = std::find_if(keys.begin(), keys.end(), [&](const ApiKey& key) { return key.key_id == command.id; });
    if (found == keys.end()) {
      std::fprintf(stderr, "no key %s in %s (keys of the config file are changed in the file)\n", command.id.c_str(),
                   store.describe().c_str());
      return 3;
    }
    ApiKey key = *found;
    if (command.action == "show") {
      print(key_view(key));
      return 0;
    }
    if (command.action == "revoke") {
      key.revoked = true;
    } else if (auto problem = apply_key_fields(*fields, key)) {
      std::fprintf(stderr, "%s\n", problem->c_str());
      return 2;
    }
    key.updated_ms = std::max(now, key.updated_ms + 1);
    save(store, key);
    print(key_view(key));
    return 0;
  } catch (const StoreError& e) {
    std::fprintf(stderr, "storage: %s\n", e.what());
    return 1;
  }
}

}  // namespace switchyard
