#pragma once
// What the commands that work on records outside a running gateway (report, export, import) read
// from their options: the record store a config file names, and a window of days. Problems go
// to stderr, as the exit code the command returns.
#include <memory>
#include <string>
#include <variant>

#include "core/calendar.h"
#include "core/config.h"
#include "storage/record_store.h"

namespace switchyard {

struct ConfiguredStore {
  Config config;
  std::unique_ptr<RecordStore> store;
};

// The store, or the exit code: 2 for a bad config, 1 for a store that cannot be opened.
std::variant<ConfiguredStore, int> open_configured_store(const std::string& config_path);

// --from and --to (YYYY-MM-DD, inclusive; empty: the last 30 days), or the exit code 2.
std::variant<DayWindow, int> window_option(const std::string& from, const std::string& to);

}  // namespace switchyard
