#pragma once
// Errors on the data plane are values: every failure, local or upstream, becomes an Error
// whose kind decides the HTTP status and whose `retryable` tells the attempt loop whether
// another route may still succeed.
#include <string>

namespace switchyard {

enum class ErrorKind {
  bad_request,           // malformed JSON or missing fields (400)
  unauthorized,          // missing or unknown gateway key (401)
  not_found,             // unknown model, route or endpoint (404)
  method_not_allowed,    // (405)
  payload_too_large,     // body over limits.max_body_bytes (413)
  upstream_rejected,     // upstream answered 4xx: passed back with its status
  upstream_failed,       // upstream answered 5xx (502/503)
  upstream_unreachable,  // connect, TLS or protocol failure (502)
  upstream_timeout,      // connect, first byte or total deadline passed (504)
  unavailable,           // no usable route: provider without a key, unsupported type (503)
  forbidden,             // the key may not use this model or endpoint (403)
  rate_limited,          // a gateway rate limit (key, team, user, model) is reached (429)
  quota_exceeded,        // a hard budget is spent (429, OpenAI's insufficient_quota)
  cancelled,             // the client went away before its answer was complete (499, nginx's code)
  internal,              // a bug: never expected (500)
};

enum class ErrorSource { gateway, client, upstream };

struct Error {
  ErrorKind kind = ErrorKind::internal;
  ErrorSource source = ErrorSource::gateway;
  bool retryable = false;
  int status = 500;     // the HTTP status the client gets
  std::string message;  // human readable, safe to show the client
  std::string code;     // machine readable, OpenAI's `code`
  std::string param;    // the request field at fault, empty if none
  std::string subject;  // what it is about, for formats that name it (an unknown model's id)
};

Error make_error(ErrorKind kind, std::string message, std::string param = {});

// Error for an upstream that answered with a non-2xx status; `upstream_message` is what the
// provider said, taken from its error body when it has one.
Error upstream_status_error(std::string_view provider, int upstream_status, std::string upstream_message);

// The kind's own name ("bad_request", "rate_limited", ...): a metric label from a fixed set.
const char* error_kind_name(ErrorKind kind);

// OpenAI's error type string for the kind (invalid_request_error, authentication_error, ...).
const char* openai_error_type(ErrorKind kind);

}  // namespace switchyard
