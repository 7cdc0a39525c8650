#include "fixtures.h"

#include "core/config.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

std::string fixture(const std::string& relative_path) {
  std::ifstream in(std::string(SWITCHYARD_FIXTURES) + "/" + relative_path, std::ios::binary);
  if (!in) throw std::runtime_error("missing fixture " + relative_path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string config_error_of(const std::string& yaml, const std::string& source) {
  try {
    switchyard::parse_config(yaml, source);
  } catch (const switchyard::ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}
