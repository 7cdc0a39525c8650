#pragma once
// The access log (config `access_log: stdout | PATH`): one JSON line per request, written by the
// recorder's thread as records are taken, so the request path never waits on it
// (docs/observability.md has the fields). A file is opened for appending, and reopened when it was
// moved away (log rotation); lines are flushed after each batch. A write that fails is counted and
// warned about once per 10 s, never retried.
#include <chrono>
#include <cstdio>
#include <span>
#include <string>

#include "storage/record_sink.h"

namespace switchyard {

class AccessLog final : public RecordSink {
 public:
  // "stdout" or a file path; throws std::runtime_error when the file cannot be opened.
  explicit AccessLog(std::string destination);
  ~AccessLog() override;
  AccessLog(const AccessLog&) = delete;
  AccessLog& operator=(const AccessLog&) = delete;

  void add(std::span<const RecordView> records) override;

 private:
  void reopen_if_moved();

  std::string path_;  // empty: stdout
  std::FILE* out_ = nullptr;
  std::string line_;  // reused
  std::chrono::steady_clock::time_point next_check_, next_warning_;
};

// One record's access-log line (no newline).
std::string access_log_line(const RecordView& record);

}  // namespace switchyard
