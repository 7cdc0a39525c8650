#pragma once
#include <string>

// The text of a recorded wire sample under tests/fixtures/.
std::string fixture(const std::string& relative_path);

// The message of the ConfigError that parsing `yaml` (named `source`) throws, or "(no error)".
std::string config_error_of(const std::string& yaml, const std::string& source = "t.yaml");
