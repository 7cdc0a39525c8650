#include "translate/openai_output.h"

#include <boost/json.hpp>

#include "translate/errors.h"

namespace switchyard {
namespace json = boost::json;
namespace {

json::object usage_json(const TokenUsage& u) {
  return {{"prompt_tokens", u.input},
          {"completion_tokens", u.output},
          {"total_tokens", u.input + u.output},
          {"prompt_tokens_details", {{"cached_tokens", u.cache_read}, {"cache_write_tokens", u.cache_write}}},
          {"completion_tokens_details", {{"reasoning_tokens", u.reasoning}}}};
}

json::object tool_call_json(const ToolCallOut& call) {
  return {{"id", call.id}, {"type", "function"}, {"function", {{"name", call.name}, {"arguments", call.arguments}}}};
}

}  // namespace

std::string completion_body(const CompletionOut& c) {
  json::object message{{"role", "assistant"},
                       {"content", c.content ? json::value(*c.content) : json::value(nullptr)},
                       {"refusal", nullptr}};
  if (!c.reasoning.empty()) message["reasoning"] = c.reasoning;
  if (!c.tool_calls.empty()) {
    json::array calls;
    for (const auto& call : c.tool_calls) calls.push_back(tool_call_json(call));
    message["tool_calls"] = std::move(calls);
  }
  json::object body{{"id", c.id},
                    {"object", "chat.completion"},
                    {"created", c.created},
                    {"model", c.model},
                    {"choices", json::array{json::object{{"index", 0},
                                                         {"message", std::move(message)},
                                                         {"logprobs", nullptr},
                                                         {"finish_reason", c.finish_reason}}}}};
  if (c.usage) body["usage"] = usage_json(*c.usage);
  return json::serialize(body);
}

void ChunkWriter::chunk(std::string& out, std::string delta_json, std::string_view finish_reason) {
  json::object choice{{"index", 0}, {"delta", json::parse(delta_json)}, {"logprobs", nullptr}};
  choice["finish_reason"] = finish_reason.empty() ? json::value(nullptr) : json::value(finish_reason);
  json::object c{{"id", id_},
                 {"object", "chat.completion.chunk"},
                 {"created", created_},
                 {"model", model_},
                 {"choices", json::array{std::move(choice)}}};
  out += "data: ";
  out += json::serialize(c);
  out += "\n\n";
}

void ChunkWriter::role(std::string& out) { chunk(out, R"({"role":"assistant","content":"","refusal":null})", {}); }

void ChunkWriter::text(std::string& out, std::string_view delta) {
  if (!delta.empty()) chunk(out, json::serialize(json::object{{"content", delta}}), {});
}

void ChunkWriter::reasoning(std::string& out, std::string_view delta) {
  if (!delta.empty()) chunk(out, json::serialize(json::object{{"reasoning", delta}}), {});
}

void ChunkWriter::tool_call_start(std::string& out, int index, std::string_view id, std::string_view name) {
  json::object call{{"index", index}, {"id", id}, {"type", "function"}, {"function", {{"name", name}, {"arguments", ""}}}};
  chunk(out, json::serialize(json::object{{"tool_calls", json::array{std::move(call)}}}), {});
}

void ChunkWriter::tool_call_arguments(std::string& out, int index, std::string_view delta) {
  if (delta.empty()) return;
  json::object call{{"index", index}, {"function", {{"arguments", delta}}}};
  chunk(out, json::serialize(json::object{{"tool_calls", json::array{std::move(call)}}}), {});
}

void ChunkWriter::finish(std::string& out, std::string_view finish_reason) { chunk(out, "{}", finish_reason); }

void ChunkWriter::usage(std::string& out, const TokenUsage& u) {
  json::object c{{"id", id_},          {"object", "chat.completion.chunk"}, {"created", created_},
                 {"model", model_},    {"choices", json::array{}},          {"usage", usage_json(u)}};
  out += "data: ";
  out += json::serialize(c);
  out += "\n\n";
}

void ChunkWriter::done(std::string& out) { out += "data: [DONE]\n\n"; }

void ChunkWriter::error(std::string& out, const Error& error) {
  out += "data: ";
  out += openai_error_body(error);
  out += "\n\n";
}

}  // namespace switchyard
