#pragma once
// How the simulator behaves for one request, chosen by the model name:
//   <base>[~key=value]...
// base: "echo" (repeats the last user message), "inspect" (answers with what it received),
// anything else (deterministic lorem text).
// keys: ttft (ms to first token), delay (ms between tokens), len (answer tokens),
//       fail (HTTP status to fail with, e.g. 500, 503, 429, 400), retry_after (s, with fail=429),
//       fail_first (with fail: fail only the first N requests for this exact model name),
//       signed (1: as Gemini 3 and Anthropic with thinking do, a request whose history has a tool
//       call without the signature the simulator gave it is refused with 400),
//       fault (hang: never answer; reset: drop the connection at once; drop: cut the answer
//       in the middle; slow: ttft 1500 ms and 100 ms between tokens).
// Example: "lorem~len=200~ttft=50~delay=5", "echo~fail=503", "echo~fault=drop".
#include <string>
#include <string_view>
#include <variant>

namespace switchyard::sim {

enum class Fault { none, hang, reset, drop };

struct Defaults {
  int ttft_ms = 0;
  int delay_ms = 0;
  int len = 16;
};

struct Scenario {
  std::string base;
  int ttft_ms = 0;
  int delay_ms = 0;
  int len = 16;
  int fail_status = 0;
  int retry_after_s = 1;
  int fail_first = 0;  // 0: every request fails
  bool signed_calls = false;
  Fault fault = Fault::none;
};

// An unknown key or a bad value is an error message (the simulator answers 400 with it).
std::variant<Scenario, std::string> parse_scenario(std::string_view model, const Defaults& defaults);

}  // namespace switchyard::sim
