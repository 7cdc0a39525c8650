#pragma once
// How the simulator behaves for one request, chosen by the model name:
//   <base>[~key=value]...
// base: "echo" (repeats the last user message), "inspect" (answers with what it received),
// anything else (deterministic lorem text, the same whatever the wire format).
// keys: ttft (ms to first token), delay (ms between tokens), len (answer tokens),
//       fail (an HTTP status to fail with, e.g. 500, 503, 429, 400; or "context": the provider's
//       context-overflow 400; or "policy": its content-policy refusal), retry_after (s, with
//       fail=429), fail_first (with fail: fail only the first N requests for this exact model name),
//       ctx (a context window of N tokens: a request whose prompt tokens plus requested output
//       tokens exceed it gets the context-overflow 400),
//       signed (1: as Gemini 3 and Anthropic with thinking do, a request whose history has a tool
//       call without the signature the simulator gave it is refused with 400),
//       fault (hang: never answer; reset: drop the connection at once; drop: cut the answer
//       in the middle; slow: ttft 1500 ms and 100 ms between tokens),
//       cut (N: a stream's body ends after exactly N bytes, P%: after P percent (1-99) of its
//       full length, rounded down; then the connection is reset as with fault=drop; an answer
//       that is not streamed is sent whole).
// Example: "lorem~len=200~ttft=50~delay=5", "echo~fail=503", "echo~fault=drop", "lorem~cut=40%".
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace switchyard::sim {

enum class Fault { none, hang, reset, drop };

// What a failing scenario answers: its HTTP status in the provider's usual error shape, or the
// provider's own 400 for an input over the context window, or for a content-policy refusal.
enum class FailShape { status, context, policy };

struct Defaults {
  int ttft_ms = 0;
  int delay_ms = 0;
  int len = 16;
};

// Where a stream is cut: after `bytes` bytes, or after `percent` of its full length.
struct Cut {
  std::size_t bytes = 0;
  int percent = 0;  // 0: the cut is at `bytes`
};

struct Scenario {
  std::string base;
  int ttft_ms = 0;
  int delay_ms = 0;
  int len = 16;
  int fail_status = 0;  // 0: no failure; 400 for the context and policy shapes
  FailShape fail_shape = FailShape::status;
  int retry_after_s = 1;
  int fail_first = 0;      // 0: every request fails
  int context_window = 0;  // tokens; 0: unlimited
  bool signed_calls = false;
  Fault fault = Fault::none;
  std::optional<Cut> cut;
};

// An unknown key or a bad value is an error message (the simulator answers 400 with it).
std::variant<Scenario, std::string> parse_scenario(std::string_view model, const Defaults& defaults);

// How many bytes of a stream body of `total` bytes go out before the cut (`total` or more: all).
std::size_t cut_offset(const Cut& cut, std::size_t total);

}  // namespace switchyard::sim
