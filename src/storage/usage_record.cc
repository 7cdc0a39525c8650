#include "storage/usage_record.h"

#include <fmt/format.h>
#include <boost/json.hpp>

#include "core/json_text.h"
#include "translate/json_parse.h"

namespace switchyard {
namespace json = boost::json;
namespace {

json::value optional_value(const auto& value) { return value ? json::value(*value) : json::value(nullptr); }

std::string text(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

int64_t integer(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v) return 0;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<int64_t>(v->get_uint64());
  if (v->is_double()) return static_cast<int64_t>(v->get_double());
  return 0;
}

}  // namespace

std::string attempts_json(const std::vector<AttemptRecord>& attempts) {
  std::string out = "[";
  for (const auto& a : attempts) {
    if (out.size() > 1) out += ',';
    out += R"({"provider":)";
    append_json_string(out, a.provider);
    out += R"(,"model":)";
    append_json_string(out, a.model);
    out += R"(,"model_id":)";
    append_json_string(out, a.model_id);
    fmt::format_to(std::back_inserter(out), R"(,"success":{},"status":{},"error":)", a.success, a.status);
    if (a.error.empty())
      out += "null";
    else
      append_json_string(out, a.error);
    fmt::format_to(std::back_inserter(out), R"(,"start_time":{},"end_time":{})", a.start_ms, a.end_ms);
    if (a.continued_at) fmt::format_to(std::back_inserter(out), R"(,"continued_at":{})", *a.continued_at);
    out += '}';
  }
  return out + "]";
}

json::value attempts_to_json(const std::vector<AttemptRecord>& attempts) {
  boost::system::error_code ec;
  json::value value = parse_json(attempts_json(attempts), ec);
  return ec ? json::value(json::array()) : value;
}

std::vector<AttemptRecord> attempts_from_json(const json::value& value) {
  std::vector<AttemptRecord> out;
  for (const auto& item : value.as_array()) {
    const auto& o = item.as_object();
    AttemptRecord a;
    a.provider = text(o, "provider");
    a.model = text(o, "model");
    a.model_id = text(o, "model_id");
    a.success = o.contains("success") && o.at("success").is_bool() && o.at("success").get_bool();
    a.status = static_cast<int>(integer(o, "status"));
    a.error = text(o, "error");
    a.start_ms = integer(o, "start_time");
    a.end_ms = integer(o, "end_time");
    if (const auto* at = o.if_contains("continued_at"); at && at->is_number())
      a.continued_at = integer(o, "continued_at");
    out.push_back(std::move(a));
  }
  return out;
}

json::value to_json(const UsageRecord& r) {
  json::array tags;
  for (const auto& t : r.tags) tags.emplace_back(t);
  return json::object{{"id", r.id},
                      {"created_ms", r.created_ms},
                      {"team", r.team},
                      {"key_id", r.key_id},
                      {"user", r.user},
                      {"use_case", r.use_case},
                      {"endpoint", r.endpoint},
                      {"tags", std::move(tags)},
                      {"model_requested", r.model_requested},
                      {"model", r.model},
                      {"provider", r.provider},
                      {"upstream_model", r.upstream_model},
                      {"streamed", r.streamed},
                      {"finish_reason", r.finish_reason},
                      {"input_tokens", r.input_tokens},
                      {"output_tokens", r.output_tokens},
                      {"cache_read_tokens", r.cache_read_tokens},
                      {"cache_write_tokens", r.cache_write_tokens},
                      {"reasoning_tokens", r.reasoning_tokens},
                      {"cost", optional_value(r.cost)},
                      {"byok", r.byok},
                      {"ttft_ms", optional_value(r.ttft_ms)},
                      {"latency_ms", r.latency_ms},
                      {"status", r.status},
                      {"error", r.error},
                      {"attempts", attempts_to_json(r.attempts)},
                      {"cache_hit", r.cache_hit},
                      {"saved_cost", optional_value(r.saved_cost)}};
}

namespace {

UsageRecord record_from_json(const json::value& value) {
  const auto& o = value.as_object();
  UsageRecord r;
  r.id = text(o, "id");
  if (r.id.empty()) throw std::runtime_error("a record without an id");
  r.created_ms = integer(o, "created_ms");
  r.team = text(o, "team");
  r.key_id = text(o, "key_id");
  r.user = text(o, "user");
  r.use_case = text(o, "use_case");
  r.endpoint = text(o, "endpoint");
  for (const auto& t : o.at("tags").as_array()) r.tags.emplace_back(t.as_string());
  r.model_requested = text(o, "model_requested");
  r.model = text(o, "model");
  r.provider = text(o, "provider");
  r.upstream_model = text(o, "upstream_model");
  r.streamed = o.at("streamed").as_bool();
  r.finish_reason = text(o, "finish_reason");
  r.input_tokens = integer(o, "input_tokens");
  r.output_tokens = integer(o, "output_tokens");
  r.cache_read_tokens = integer(o, "cache_read_tokens");
  r.cache_write_tokens = integer(o, "cache_write_tokens");
  r.reasoning_tokens = integer(o, "reasoning_tokens");
  if (const auto& cost = o.at("cost"); !cost.is_null()) r.cost = cost.to_number<double>();
  r.byok = o.at("byok").as_bool();
  if (const auto& ttft = o.at("ttft_ms"); !ttft.is_null()) r.ttft_ms = integer(o, "ttft_ms");
  r.latency_ms = integer(o, "latency_ms");
  r.status = static_cast<int>(integer(o, "status"));
  r.error = text(o, "error");
  r.attempts = attempts_from_json(o.at("attempts"));
  // Lines written before the response cache have neither: a miss, nothing saved.
  if (const auto* hit = o.if_contains("cache_hit"); hit && hit->is_bool()) r.cache_hit = hit->get_bool();
  if (const auto* saved = o.if_contains("saved_cost"); saved && saved->is_number())
    r.saved_cost = saved->to_number<double>();
  return r;
}

}  // namespace

std::string record_json_line(const UsageRecord& record) {
  std::string line = serialize_json(to_json(record));
  line += '\n';
  return line;
}

UsageRecord record_from_json_line(std::string_view line) {
  boost::system::error_code error;
  auto value = parse_json(line, error);
  if (error) throw std::runtime_error("not JSON: " + error.message());
  try {
    return record_from_json(value);
  } catch (const std::exception& e) {  // a member missing or of another type
    throw std::runtime_error(std::string("not a record: ") + e.what());
  }
}

}  // namespace switchyard
