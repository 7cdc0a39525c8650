#pragma once
// The gateway's request handler: assigns the request id, authenticates, and sends each
// endpoint to its pipeline.
#include <memory>

#include "core/config.h"
#include "server/http_server.h"

namespace switchyard {

class Gateway {
 public:
  explicit Gateway(std::shared_ptr<const Config> config);
  Task<> handle(Exchange& exchange);
  // For errors found before a request reaches the handler (oversized or malformed).
  http::response<http::string_body> render_error(const Error& error, const http::request_header<>& header) const;

 private:
  std::shared_ptr<const Config> config_;
  std::string models_body_;  // GET /v1/models, built once per config
};

}  // namespace switchyard
