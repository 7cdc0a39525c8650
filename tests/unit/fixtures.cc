#include "fixtures.h"

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
