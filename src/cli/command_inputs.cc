#include "cli/command_inputs.h"

#include <cstdio>

namespace switchyard {

std::variant<ConfiguredStore, int> open_configured_store(const std::string& config_path) {
  ConfiguredStore out;
  try {
    out.config = load_config(config_path);
  } catch (const ConfigError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  }
  if (out.config.storage == "none") {
    std::fprintf(stderr, "%s: storage is none, there are no records\n", config_path.c_str());
    return 2;
  }
  try {
    out.store = open_store(out.config.storage);
  } catch (const StoreError& e) {
    std::fprintf(stderr, "storage: %s\n", e.what());
    return 1;
  }
  return out;
}

std::variant<DayWindow, int> window_option(const std::string& from, const std::string& to) {
  auto window = day_window(from, to);
  if (auto* days = std::get_if<DayWindow>(&window)) return *days;
  std::fprintf(stderr, "--from and --to must be YYYY-MM-DD, --from not after --to\n");
  return 2;
}

}  // namespace switchyard
