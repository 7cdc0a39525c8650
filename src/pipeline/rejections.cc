#include "pipeline/rejections.h"

#include <fmt/format.h>

namespace switchyard {

bool Rejections::count(ErrorKind kind, int64_t now_ms) {
  by_kind_[static_cast<std::size_t>(kind)].fetch_add(1, std::memory_order_relaxed);
  Budget& budget = kind == ErrorKind::unauthorized ? unauthenticated_ : others_;
  const int64_t second = now_ms / 1000;
  int64_t seen = budget.second.load(std::memory_order_relaxed);
  if (seen != second && budget.second.compare_exchange_strong(seen, second, std::memory_order_relaxed))
    budget.used.store(0, std::memory_order_relaxed);  // the first refusal of a new second
  if (budget.used.fetch_add(1, std::memory_order_relaxed) < kRecordsPerSecond) return true;
  unrecorded_.fetch_add(1, std::memory_order_relaxed);
  return false;
}

std::string Rejections::render_metrics() const {
  std::string out =
      "# HELP switchyard_requests_rejected_total Requests refused before any upstream was tried, by reason.\n"
      "# TYPE switchyard_requests_rejected_total counter\n";
  for (std::size_t i = 0; i < kKinds; ++i)
    if (uint64_t n = by_kind_[i].load(std::memory_order_relaxed))
      out += fmt::format("switchyard_requests_rejected_total{{reason=\"{}\"}} {}\n",
                         error_kind_name(static_cast<ErrorKind>(i)), n);
  out += fmt::format(
      "# HELP switchyard_rejected_unrecorded_total Refused requests past the record rate bound (counted, not "
      "recorded).\n# TYPE switchyard_rejected_unrecorded_total counter\nswitchyard_rejected_unrecorded_total {}\n",
      unrecorded_.load(std::memory_order_relaxed));
  return out;
}

}  // namespace switchyard
