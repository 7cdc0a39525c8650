#include "pipeline/responses.h"

#include "translate/errors.h"

namespace switchyard {

http::response<http::string_body> json_response(const std::string& request_id, unsigned status, std::string body) {
  http::response<http::string_body> response{static_cast<http::status>(status), 11};
  response.set(http::field::content_type, "application/json");
  for (const char* name : kRequestIdHeaders) response.set(name, request_id);
  response.body() = std::move(body);
  return response;
}

http::response<http::string_body> openai_error_response(const std::string& request_id, const Error& error) {
  return json_response(request_id, static_cast<unsigned>(error.status), openai_error_body(error));
}

}  // namespace switchyard
