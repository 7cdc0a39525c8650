#include "core/error.h"

#include <fmt/format.h>

namespace switchyard {
namespace {

int status_for(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::bad_request: return 400;
    case ErrorKind::unauthorized: return 401;
    case ErrorKind::not_found: return 404;
    case ErrorKind::method_not_allowed: return 405;
    case ErrorKind::payload_too_large: return 413;
    case ErrorKind::upstream_rejected: return 400;
    case ErrorKind::upstream_failed: return 502;
    case ErrorKind::upstream_unreachable: return 502;
    case ErrorKind::upstream_timeout: return 504;
    case ErrorKind::unavailable: return 503;
    case ErrorKind::forbidden: return 403;
    case ErrorKind::rate_limited: return 429;
    case ErrorKind::quota_exceeded: return 429;
    case ErrorKind::cancelled: return 499;
    case ErrorKind::internal: return 500;
  }
  return 500;
}

const char* code_for(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::bad_request: return "invalid_request";
    case ErrorKind::unauthorized: return "invalid_api_key";
    case ErrorKind::not_found: return "model_not_found";
    case ErrorKind::method_not_allowed: return "method_not_allowed";
    case ErrorKind::payload_too_large: return "request_too_large";
    case ErrorKind::upstream_rejected: return "upstream_rejected";
    case ErrorKind::upstream_failed: return "upstream_error";
    case ErrorKind::upstream_unreachable: return "upstream_unreachable";
    case ErrorKind::upstream_timeout: return "upstream_timeout";
    case ErrorKind::unavailable: return "provider_unavailable";
    case ErrorKind::forbidden: return "model_not_allowed";
    case ErrorKind::rate_limited: return "rate_limit_exceeded";
    case ErrorKind::quota_exceeded: return "insufficient_quota";
    case ErrorKind::cancelled: return "client_closed_request";
    case ErrorKind::internal: return "internal_error";
  }
  return "internal_error";
}

bool retryable_for(ErrorKind kind) {
  return kind == ErrorKind::upstream_failed || kind == ErrorKind::upstream_unreachable ||
         kind == ErrorKind::upstream_timeout || kind == ErrorKind::unavailable;
}

ErrorSource source_for(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::bad_request:
    case ErrorKind::unauthorized:
    case ErrorKind::not_found:
    case ErrorKind::method_not_allowed:
    case ErrorKind::payload_too_large:
    case ErrorKind::forbidden:
    case ErrorKind::rate_limited:
    case ErrorKind::quota_exceeded:
    case ErrorKind::cancelled: return ErrorSource::client;
    case ErrorKind::upstream_rejected:
    case ErrorKind::upstream_failed:
    case ErrorKind::upstream_unreachable:
    case ErrorKind::upstream_timeout: return ErrorSource::upstream;
    default: return ErrorSource::gateway;
  }
}

}  // namespace

Error make_error(ErrorKind kind, std::string message, std::string param) {
  return Error{kind,           source_for(kind), retryable_for(kind), status_for(kind), std::move(message),
               code_for(kind), std::move(param)};
}

Error upstream_status_error(std::string_view provider, int upstream_status, std::string upstream_message) {
  if (upstream_status >= 400 && upstream_status < 500) {
    // A 4xx is the upstream's verdict on the request: the client gets it as it is.
    Error e = make_error(ErrorKind::upstream_rejected, std::move(upstream_message));
    e.status = upstream_status;
    e.retryable = upstream_status == 408 || upstream_status == 429;
    if (upstream_status == 429) e.code = "rate_limit_exceeded";
    return e;
  }
  Error e = make_error(ErrorKind::upstream_failed,
                       fmt::format("provider {} failed with HTTP {}: {}", provider, upstream_status, upstream_message));
  // 503 and 504 keep their meaning for the client; any other failure is a bad gateway.
  if (upstream_status == 503 || upstream_status == 504) e.status = upstream_status;
  return e;
}

const char* openai_error_type(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::bad_request:
    case ErrorKind::not_found:
    case ErrorKind::method_not_allowed:
    case ErrorKind::payload_too_large:
    case ErrorKind::upstream_rejected: return "invalid_request_error";
    case ErrorKind::unauthorized: return "authentication_error";
    case ErrorKind::forbidden: return "permission_error";
    case ErrorKind::rate_limited: return "requests";  // OpenAI's type for a rate limit (or "tokens")
    case ErrorKind::quota_exceeded: return "insufficient_quota";
    case ErrorKind::upstream_failed:
    case ErrorKind::upstream_unreachable:
    case ErrorKind::upstream_timeout:
    case ErrorKind::unavailable: return "upstream_error";
    case ErrorKind::cancelled: return "invalid_request_error";
    case ErrorKind::internal: return "server_error";
  }
  return "server_error";
}

const char* error_kind_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::bad_request: return "bad_request";
    case ErrorKind::unauthorized: return "unauthorized";
    case ErrorKind::not_found: return "not_found";
    case ErrorKind::method_not_allowed: return "method_not_allowed";
    case ErrorKind::payload_too_large: return "payload_too_large";
    case ErrorKind::upstream_rejected: return "upstream_rejected";
    case ErrorKind::upstream_failed: return "upstream_failed";
    case ErrorKind::upstream_unreachable: return "upstream_unreachable";
    case ErrorKind::upstream_timeout: return "upstream_timeout";
    case ErrorKind::unavailable: return "unavailable";
    case ErrorKind::forbidden: return "forbidden";
    case ErrorKind::rate_limited: return "rate_limited";
    case ErrorKind::quota_exceeded: return "quota_exceeded";
    case ErrorKind::cancelled: return "cancelled";
    case ErrorKind::internal: return "internal";
  }
  return "internal";
}

}  // namespace switchyard
