#pragma once
#include <string>

// The text of a recorded wire sample under tests/fixtures/.
std::string fixture(const std::string& relative_path);
