#pragma once
// `switchyard export` and `switchyard import`: records as JSON lines (the journal's format), out
// of one store and into another: from SQLite to PostgreSQL when one gateway becomes many, a
// journal saved from another machine, or a history to start a demo with.
#include <string>

namespace switchyard {

// Every record of the days `from` to `to` (YYYY-MM-DD, UTC, inclusive; empty: the last 30 days)
// to stdout, oldest first. Returns the exit code.
int run_export(const std::string& config_path, const std::string& from, const std::string& to);
// Records from `input` ("-": stdin) into the config's store. A record already there (same id) is
// skipped, so an import can be run again. A line that is not a record is reported with its
// number and the others are still imported; the exit code is then 1.
int run_import(const std::string& config_path, const std::string& input);

}  // namespace switchyard
