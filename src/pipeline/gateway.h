#pragma once
// The gateway's request handler: assigns the request id, finds the endpoint's row, authenticates,
// and runs the row's phases (docs/life-of-a-request.md).
#include <atomic>
#include <memory>

#include "core/config.h"
#include "core/request_context.h"
#include "pipeline/endpoints.h"
#include "pipeline/model_catalogue.h"
#include "pipeline/records_api.h"
#include "pipeline/rejections.h"
#include "pipeline/services.h"
#include "server/http_server.h"

namespace switchyard {

class Gateway {
 public:
  // `records` (may be null: no accounting) keeps a record of every proxied request; `services`
  // are what the request path uses (health, transport, draw).
  Gateway(std::shared_ptr<const Config> config, const Records* records, Services services);
  // New requests use `config`; requests in flight finish on the one they started with.
  void reload(std::shared_ptr<const Config> config);
  // How long requests in flight may run on at shutdown, by the config in use now.
  std::chrono::milliseconds drain_time() const { return snapshot_.load()->config->timeouts.drain; }
  Task<> handle(Exchange& exchange);
  // For errors found before a request reaches the handler (oversized or malformed).
  http::response<http::string_body> render_error(const Error& error, const http::request_header<>& header) const;

 private:
  struct Snapshot {
    std::shared_ptr<const Config> config;
    ModelCatalogue models;  // GET /v1/models[/{id}], built once per config
  };
  Task<> serve_proxied(RequestContext& context, Exchange& exchange, const Endpoint& endpoint);
  // The request's trace: continued from the client's traceparent, or new when telemetry is on.
  void start_trace_of(RequestContext& context, const http::request_header<>& request) const;
  // The record phase, once the answer is sent: the request's record (refusals at a bounded
  // rate) and, when sampled, its spans; encoded before the context goes.
  void record(const RequestContext& context, const Exchange& exchange);

  std::atomic<std::shared_ptr<const Snapshot>> snapshot_;
  const Records* records_;
  Services services_;
  Rejections rejections_;
};

}  // namespace switchyard
