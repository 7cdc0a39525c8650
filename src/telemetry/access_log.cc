#include "telemetry/access_log.h"

#include <sys/stat.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "core/calendar.h"
#include "storage/record_store.h"

namespace switchyard {
namespace json = boost::json;

std::string access_log_line(const RecordView& r) {
  auto text_or_null = [](std::string_view text) { return text.empty() ? json::value(nullptr) : json::value(text); };
  // Milliseconds in the time: requests of one second are told apart and ordered.
  std::string time = iso_time_of(r.created_ms);
  time.insert(time.size() - 1, fmt::format(".{:03}", ((r.created_ms % 1000) + 1000) % 1000));
  json::object line{{"time", time},
                    {"id", r.id},
                    {"team", r.team},
                    {"key_id", text_or_null(r.key_id)},
                    {"user", text_or_null(r.user)},
                    {"endpoint", r.endpoint},
                    {"model", text_or_null(r.model)},
                    {"model_requested", r.model_requested},
                    {"provider", text_or_null(r.provider)},
                    {"status", r.status},
                    {"outcome", outcome_name(outcome_of(r))},
                    {"streamed", r.streamed},
                    {"latency_ms", r.latency_ms},
                    {"ttft_ms", r.ttft_ms ? json::value(*r.ttft_ms) : json::value(nullptr)},
                    {"input_tokens", r.input_tokens},
                    {"output_tokens", r.output_tokens},
                    {"cost", r.cost ? json::value(*r.cost) : json::value(nullptr)},
                    {"attempts", r.attempts.size()},
                    {"error", text_or_null(r.error)}};
  // Only a hit says so: lines of other requests stay as they were.
  if (r.cache_hit) {
    line["cache"] = "hit";
    line["saved_cost"] = r.saved_cost ? json::value(*r.saved_cost) : json::value(nullptr);
  }
  return json::serialize(line);
}

AccessLog::AccessLog(std::string destination) : path_(destination == "stdout" ? "" : std::move(destination)) {
  if (path_.empty()) {
    out_ = stdout;
    return;
  }
  out_ = std::fopen(path_.c_str(), "a");
  if (!out_) throw std::runtime_error("access_log: cannot open '" + path_ + "': " + std::strerror(errno));
}

AccessLog::~AccessLog() {
  if (out_ && out_ != stdout) std::fclose(out_);
}

void AccessLog::reopen_if_moved() {
  const auto now = std::chrono::steady_clock::now();
  if (path_.empty() || now < next_check_) return;
  next_check_ = now + std::chrono::seconds(1);
  struct stat at_path {};
  struct stat open_file {};
  const bool moved = ::stat(path_.c_str(), &at_path) != 0 || ::fstat(fileno(out_), &open_file) != 0 ||
                     at_path.st_ino != open_file.st_ino || at_path.st_dev != open_file.st_dev;
  if (!moved) return;
  if (std::FILE* reopened = std::fopen(path_.c_str(), "a")) {
    std::fclose(out_);
    out_ = reopened;
  }
}

void AccessLog::add(std::span<const RecordView> records) {
  reopen_if_moved();
  bool failed = false;
  for (const RecordView& record : records) {
    line_ = access_log_line(record);
    line_ += '\n';
    failed |= std::fwrite(line_.data(), 1, line_.size(), out_) != line_.size();
  }
  failed |= std::fflush(out_) != 0;
  const auto now = std::chrono::steady_clock::now();
  if (failed && now >= next_warning_) {
    next_warning_ = now + std::chrono::seconds(10);
    spdlog::warn("access_log: cannot write to {}: {}", path_.empty() ? "stdout" : path_, std::strerror(errno));
  }
}

}  // namespace switchyard
