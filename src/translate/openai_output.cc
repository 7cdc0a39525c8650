#include "translate/openai_output.h"
#include "translate/json_parse.h"

#include <boost/json.hpp>

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
  json::object out{
      {"id", call.id}, {"type", "function"}, {"function", {{"name", call.name}, {"arguments", call.arguments}}}};
  if (!call.thought_signature.empty()) out["thought_signature"] = call.thought_signature;
  return out;
}

}  // namespace

json::object completion_choice(const CompletionOut& c, std::size_t index) {
  json::object message{{"role", "assistant"},
                       {"content", c.content ? json::value(*c.content) : json::value(nullptr)},
                       {"refusal", nullptr}};
  if (!c.reasoning.empty()) message["reasoning"] = c.reasoning;
  if (!c.reasoning_signature.empty()) message["reasoning_signature"] = c.reasoning_signature;
  if (!c.tool_calls.empty()) {
    json::array calls;
    for (const auto& call : c.tool_calls) calls.push_back(tool_call_json(call));
    message["tool_calls"] = std::move(calls);
  }
  return {
      {"index", index}, {"message", std::move(message)}, {"logprobs", c.logprobs}, {"finish_reason", c.finish_reason}};
}

std::string completion_body(const CompletionOut& c, boost::json::array more_choices) {
  json::array choices{completion_choice(c, 0)};
  for (auto& choice : more_choices) choices.push_back(std::move(choice));
  json::object body{{"id", c.id},
                    {"object", "chat.completion"},
                    {"created", c.created},
                    {"model", c.model},
                    {"choices", std::move(choices)}};
  if (c.usage) body["usage"] = usage_json(*c.usage);
  return serialize_json(body);
}

void ChunkWriter::event(std::string& out, json::array choices, json::value usage) {
  json::object c{{"id", id_},
                 {"object", "chat.completion.chunk"},
                 {"created", created_},
                 {"model", model_},
                 {"choices", std::move(choices)}};
  if (!usage.is_null()) c["usage"] = std::move(usage);
  out += "data: ";
  out += serialize_json(c);
  out += "\n\n";
}

void ChunkWriter::chunk(std::string& out, json::object delta, std::string_view finish_reason) {
  json::object choice{{"index", 0}, {"delta", std::move(delta)}, {"logprobs", nullptr}};
  choice["finish_reason"] = finish_reason.empty() ? json::value(nullptr) : json::value(finish_reason);
  event(out, json::array{std::move(choice)});
}

void ChunkWriter::role(std::string& out) { chunk(out, {{"role", "assistant"}, {"content", ""}, {"refusal", nullptr}}); }

void ChunkWriter::text(std::string& out, std::string_view delta) {
  if (!delta.empty()) chunk(out, {{"content", delta}});
}

void ChunkWriter::reasoning(std::string& out, std::string_view delta) {
  if (!delta.empty()) chunk(out, {{"reasoning", delta}});
}

void ChunkWriter::reasoning_signature(std::string& out, std::string_view signature) {
  if (!signature.empty()) chunk(out, {{"reasoning_signature", signature}});
}

void ChunkWriter::tool_call_start(std::string& out, int index, std::string_view id, std::string_view name,
                                  std::string_view thought_signature) {
  json::object call{
      {"index", index}, {"id", id}, {"type", "function"}, {"function", {{"name", name}, {"arguments", ""}}}};
  if (!thought_signature.empty()) call["thought_signature"] = thought_signature;
  chunk(out, {{"tool_calls", json::array{std::move(call)}}});
}

void ChunkWriter::tool_call_arguments(std::string& out, int index, std::string_view delta) {
  if (delta.empty()) return;
  json::object call{{"index", index}, {"function", {{"arguments", delta}}}};
  chunk(out, {{"tool_calls", json::array{std::move(call)}}});
}

void ChunkWriter::finish(std::string& out, std::string_view finish_reason) { chunk(out, {}, finish_reason); }

void ChunkWriter::usage(std::string& out, const TokenUsage& u) { event(out, json::array{}, usage_json(u)); }

void ChunkWriter::done(std::string& out) { out += "data: [DONE]\n\n"; }

}  // namespace switchyard
