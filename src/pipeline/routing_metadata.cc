#include "pipeline/routing_metadata.h"

#include <boost/json.hpp>

namespace switchyard {
namespace json = boost::json;

std::string routing_metadata(const RequestContext& context, std::string_view requested_model) {
  json::array attempts;
  for (const auto& attempt : context.attempts) {
    json::object entry;
    entry["provider"] = attempt.provider;
    entry["modelId"] = attempt.model_id;
    entry["providerApiModelId"] = attempt.upstream_model;
    entry["success"] = !attempt.error && attempt.status > 0 && attempt.status < 300;
    entry["statusCode"] = attempt.status > 0 ? json::value(attempt.status) : json::value(nullptr);
    entry["error"] = attempt.error ? json::value(attempt.error->message) : json::value(nullptr);
    entry["startTime"] = context.unix_ms(attempt.start);
    entry["endTime"] = context.unix_ms(attempt.end);
    attempts.push_back(std::move(entry));
  }
  json::object routing;
  routing["originalModelId"] = requested_model;
  if (!context.attempts.empty()) {
    routing["resolvedModelId"] = context.attempts.back().model_id;
    routing["resolvedProvider"] = context.attempts.back().provider;
    routing["resolvedProviderApiModelId"] = context.attempts.back().upstream_model;
  }
  routing["attempts"] = std::move(attempts);
  return json::serialize(routing);
}

void add_routing_metadata(std::string& body, std::string_view routing_json) {
  auto close = body.find_last_not_of(" \t\r\n");
  if (close == std::string::npos || close == 0 || body[close] != '}') return;
  auto before = body.find_last_not_of(" \t\r\n", close - 1);
  if (before == std::string::npos) return;
  std::string member = body[before] == '{' ? "" : ",";
  member += R"("provider_metadata":{"gateway":{"routing":)";
  member.append(routing_json);
  member += "}}";
  body.insert(close, member);
}

}  // namespace switchyard
