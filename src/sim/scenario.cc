#include "sim/scenario.h"

#include <fmt/format.h>
#include <charconv>

namespace switchyard::sim {

std::variant<Scenario, std::string> parse_scenario(std::string_view model, const Defaults& defaults) {
  Scenario s;
  s.ttft_ms = defaults.ttft_ms;
  s.delay_ms = defaults.delay_ms;
  s.len = defaults.len;
  auto next = model.find('~');
  s.base = model.substr(0, next);
  while (next != std::string_view::npos) {
    model.remove_prefix(next + 1);
    next = model.find('~');
    std::string_view item = model.substr(0, next);
    auto eq = item.find('=');
    if (eq == std::string_view::npos) return fmt::format("simulator option '{}' must be key=value", item);
    std::string_view key = item.substr(0, eq), value = item.substr(eq + 1);
    if (key == "fault") {
      if (value == "hang")
        s.fault = Fault::hang;
      else if (value == "reset")
        s.fault = Fault::reset;
      else if (value == "drop")
        s.fault = Fault::drop;
      else if (value == "slow")
        s.ttft_ms = 1500, s.delay_ms = 100;
      else
        return fmt::format("simulator fault '{}' is not one of hang, reset, drop, slow", value);
      continue;
    }
    int number = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
    if (ec != std::errc() || end != value.data() + value.size() || number < 0)
      return fmt::format("simulator option '{}' needs a non-negative whole number", key);
    if (key == "ttft")
      s.ttft_ms = number;
    else if (key == "delay")
      s.delay_ms = number;
    else if (key == "len")
      s.len = std::max(1, number);
    else if (key == "fail")
      s.fail_status = number;
    else if (key == "retry_after")
      s.retry_after_s = number;
    else if (key == "fail_first")
      s.fail_first = number;
    else if (key == "signed")
      s.signed_calls = number != 0;
    else
      return fmt::format("unknown simulator option '{}'", key);
  }
  if (s.fail_status != 0 && (s.fail_status < 400 || s.fail_status > 599))
    return fmt::format("simulator fail={} must be an HTTP error status (400-599)", s.fail_status);
  return s;
}

}  // namespace switchyard::sim
