#pragma once
// `switchyard keys ...`: the admin API's key operations against the record store a config names,
// for scripts and for a gateway that is not running (running replicas see the change within
// half a second). Answers are the admin API's JSON, one per line; problems go to stderr.
#include <string>

namespace switchyard {

struct KeysCommand {
  std::string action;  // create | list | show | update | revoke
  std::string config_path;
  std::string id;      // show, update, revoke
  std::string team;    // create (required), list (a filter), update
  std::string fields;  // create, update: a JSON object of the admin API's fields
};

// Returns the exit code: 0 done, 1 the store failed, 2 bad input, 3 no such key.
int run_keys(const KeysCommand& command);

}  // namespace switchyard
