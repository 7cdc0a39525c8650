#pragma once
// `switchyard report`: the insights figures in a terminal, read straight from the record store.
#include <string>

namespace switchyard {

// `from` and `to` are YYYY-MM-DD (inclusive, UTC; empty: the last 30 days). Returns the exit code.
int run_report(const std::string& config_path, const std::string& from, const std::string& to, bool as_json);

}  // namespace switchyard
