#include "pipeline/routing_metadata.h"

#include "core/json_text.h"

namespace switchyard {
namespace {

// `name_colon` is a literal such as "\"provider\":", in no need of escaping.
void append_member(std::string& out, std::string_view name_colon, std::string_view value) {
  out.append(name_colon);
  append_json_string(out, value);
  out.push_back(',');
}

void append_routing(std::string& out, const RequestContext& context, std::string_view requested_model) {
  out += '{';
  append_member(out, R"("originalModelId":)", requested_model);
  if (!context.attempts.empty()) {
    const Attempt& served = context.attempts.back();
    append_member(out, R"("resolvedModelId":)", served.model_id);
    append_member(out, R"("resolvedProvider":)", served.provider);
    append_member(out, R"("resolvedProviderApiModelId":)", served.upstream_model);
  }
  out += R"("attempts":[)";
  for (const auto& attempt : context.attempts) {
    if (&attempt != &context.attempts.front()) out += ',';
    out += '{';
    append_member(out, R"("provider":)", attempt.provider);
    append_member(out, R"("modelId":)", attempt.model_id);
    append_member(out, R"("providerApiModelId":)", attempt.upstream_model);
    const bool success = !attempt.error && attempt.status > 0 && attempt.status < 300;
    out += success ? R"("success":true,"statusCode":)" : R"("success":false,"statusCode":)";
    if (attempt.status > 0)
      append_json_integer(out, attempt.status);
    else
      out += "null";
    out += R"(,"error":)";
    if (attempt.error)
      append_json_string(out, attempt.error->message);
    else
      out += "null";
    out += R"(,"startTime":)";
    append_json_integer(out, context.unix_ms(attempt.start));
    out += R"(,"endTime":)";
    append_json_integer(out, context.unix_ms(attempt.end));
    out += '}';
  }
  out += "]}";
}

}  // namespace

void add_routing_metadata(std::string& body, const RequestContext& context, std::string_view requested_model) {
  auto close = body.find_last_not_of(" \t\r\n");
  if (close == std::string::npos || close == 0 || body[close] != '}') return;
  auto before = body.find_last_not_of(" \t\r\n", close - 1);
  if (before == std::string::npos) return;
  std::string tail = body.substr(close);
  body.resize(close);
  body.reserve(body.size() + 320 + 320 * context.attempts.size());
  if (body[before] != '{') body += ',';
  body += R"("provider_metadata":{"gateway":{"routing":)";
  append_routing(body, context, requested_model);
  body += "}}";
  body += tail;
}

}  // namespace switchyard
