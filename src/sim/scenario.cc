#include "sim/scenario.h"

#include <fmt/format.h>
#include <charconv>

namespace switchyard::sim {
namespace {

// A non-negative whole number, or nullopt.
std::optional<int> whole_number(std::string_view text) {
  int number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec != std::errc() || end != text.data() + text.size() || number < 0) return std::nullopt;
  return number;
}

}  // namespace

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
    if (key == "fail" && (value == "context" || value == "policy")) {
      s.fail_status = 400;
      s.fail_shape = value == "context" ? FailShape::context : FailShape::policy;
      continue;
    }
    if (key == "cut" && value.ends_with('%')) {
      auto percent = whole_number(value.substr(0, value.size() - 1));
      if (!percent || *percent < 1 || *percent > 99)
        return fmt::format("simulator cut={} must be a percentage from 1% to 99%", value);
      s.cut = Cut{0, *percent};
      continue;
    }
    auto number = whole_number(value);
    if (!number && key == "fail")
      return fmt::format("simulator fail={} must be an HTTP error status, context or policy", value);
    if (!number) return fmt::format("simulator option '{}' needs a non-negative whole number", key);
    if (key == "ttft")
      s.ttft_ms = *number;
    else if (key == "delay")
      s.delay_ms = *number;
    else if (key == "len")
      s.len = std::max(1, *number);
    else if (key == "fail")
      s.fail_status = *number, s.fail_shape = FailShape::status;
    else if (key == "retry_after")
      s.retry_after_s = *number;
    else if (key == "fail_first")
      s.fail_first = *number;
    else if (key == "ctx")
      s.context_window = *number;
    else if (key == "cut")
      s.cut = Cut{static_cast<std::size_t>(*number), 0};
    else if (key == "signed")
      s.signed_calls = *number != 0;
    else
      return fmt::format("unknown simulator option '{}'", key);
  }
  if (s.fail_status != 0 && (s.fail_status < 400 || s.fail_status > 599))
    return fmt::format("simulator fail={} must be an HTTP error status (400-599)", s.fail_status);
  if (s.cut && s.fault != Fault::none) return "simulator option cut cannot go with fault=hang, reset or drop";
  return s;
}

std::size_t cut_offset(const Cut& cut, std::size_t total) {
  std::size_t at = cut.percent ? total * static_cast<std::size_t>(cut.percent) / 100 : cut.bytes;
  return std::min(at, total);
}

}  // namespace switchyard::sim
