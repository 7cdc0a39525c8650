#pragma once
// Requests the gateway refused before trying any upstream (a bad body, key or model, a limit):
// every one is counted by its kind for /metrics, and recorded (the request log, the access log)
// up to kRecordsPerSecond a second, so a client hammering the gateway with bad requests cannot
// flood the record store; the rest are counted as unrecorded. Requests without a valid key have
// a budget of their own, so a flood of them never hides the refusals of the teams' own requests
// (a limit, a budget, a model they may not use).
#include <array>
#include <atomic>
#include <cstdint>
#include <string>

#include "core/error.h"

namespace switchyard {

class Rejections {
 public:
  static constexpr uint32_t kRecordsPerSecond = 200;

  // Counts a refusal of `kind` at `now_ms` and says whether its record is to be kept. Lock-free;
  // at the turn of a second a few more than kRecordsPerSecond may pass.
  bool count(ErrorKind kind, int64_t now_ms);
  // switchyard_requests_rejected_total{reason} and switchyard_rejected_unrecorded_total.
  std::string render_metrics() const;

 private:
  static constexpr std::size_t kKinds = static_cast<std::size_t>(ErrorKind::internal) + 1;
  std::array<std::atomic<uint64_t>, kKinds> by_kind_{};
  std::atomic<uint64_t> unrecorded_{0};
  struct Budget {  // records kept in the current second
    std::atomic<int64_t> second{0};
    std::atomic<uint32_t> used{0};
  };
  Budget unauthenticated_, others_;
};

}  // namespace switchyard
