#pragma once
// The gateway's request handler: assigns the request id, authenticates, and sends each
// endpoint to its pipeline.
#include <atomic>
#include <memory>

#include "core/config.h"
#include "server/http_server.h"
#include "storage/recorder.h"

namespace switchyard {

class Gateway {
 public:
  // `recorder` (may be null: no accounting) stores a record of every proxied request.
  Gateway(std::shared_ptr<const Config> config, Recorder* recorder);
  // New requests use `config`; requests in flight finish on the one they started with.
  void reload(std::shared_ptr<const Config> config);
  Task<> handle(Exchange& exchange);
  // For errors found before a request reaches the handler (oversized or malformed).
  http::response<http::string_body> render_error(const Error& error, const http::request_header<>& header) const;

 private:
  struct Snapshot {
    std::shared_ptr<const Config> config;
    std::string models_body;  // GET /v1/models, built once per config
  };
  std::atomic<std::shared_ptr<const Snapshot>> snapshot_;
  Recorder* recorder_;
};

}  // namespace switchyard
