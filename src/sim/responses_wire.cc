// The OpenAI Responses wire format, as api.openai.com speaks it: a response object, or its event
// stream with named events and increasing sequence numbers.
#include <fmt/format.h>

#include <boost/json.hpp>

#include "sim/wire_format.h"

namespace switchyard::sim {
namespace json = boost::json;
namespace {

// The encrypted_content of the simulator's reasoning items; any other is refused.
constexpr const char* kSealedReasoning = "sim-encrypted-reasoning";

json::object usage(const Answer& a) {
  int reasoning = a.reasoning.empty() ? 0 : static_cast<int>(split_tokens(a.reasoning).size());
  return {{"input_tokens", a.prompt_tokens},
          {"input_tokens_details", {{"cached_tokens", 0}}},
          {"output_tokens", a.completion_tokens + reasoning},
          {"output_tokens_details", {{"reasoning_tokens", reasoning}}},
          {"total_tokens", a.prompt_tokens + a.completion_tokens + reasoning}};
}

// The finished output items, in order: reasoning, then a message or a function call.
json::array output_items(const Answer& a, const ReplyMeta& meta) {
  json::array items;
  if (!a.reasoning.empty())
    items.push_back(
        json::object{{"type", "reasoning"},
                     {"id", "rs_" + meta.id},
                     {"summary", json::array{json::object{{"type", "summary_text"}, {"text", a.reasoning}}}},
                     {"encrypted_content", kSealedReasoning}});
  if (a.tool_call)
    items.push_back(json::object{{"type", "function_call"},
                                 {"id", "fc_" + meta.id},
                                 {"call_id", a.tool_call->id},
                                 {"name", a.tool_call->name},
                                 {"arguments", a.tool_call->arguments_json},
                                 {"status", "completed"}});
  else
    items.push_back(json::object{{"type", "message"},
                                 {"id", "msg_" + meta.id},
                                 {"status", "completed"},
                                 {"role", "assistant"},
                                 {"content", json::array{json::object{{"type", "output_text"},
                                                                      {"text", a.text()},
                                                                      {"annotations", json::array{}},
                                                                      {"logprobs", json::array{}}}}}});
  return items;
}

json::object response(const Answer& a, const ReplyMeta& meta, std::string_view status) {
  const bool done = status != "in_progress";
  const bool cut = done && a.finish == Finish::length;
  return {
      {"id", meta.id},
      {"object", "response"},
      {"created_at", meta.created},
      {"status", cut ? "incomplete" : status},
      {"completed_at", done ? json::value(meta.created) : json::value(nullptr)},
      {"error", nullptr},
      {"incomplete_details", cut ? json::value(json::object{{"reason", "max_output_tokens"}}) : json::value(nullptr)},
      {"instructions", nullptr},
      {"max_output_tokens", nullptr},
      {"max_tool_calls", nullptr},
      {"model", meta.model},
      {"output", done ? output_items(a, meta) : json::array{}},
      {"parallel_tool_calls", true},
      {"previous_response_id", nullptr},
      {"reasoning", {{"effort", nullptr}, {"summary", nullptr}}},
      {"store", false},
      {"temperature", 1.0},
      {"text", {{"format", {{"type", "text"}}}}},
      {"tool_choice", "auto"},
      {"tools", json::array{}},
      {"top_p", 1.0},
      {"truncation", "disabled"},
      {"presence_penalty", 0.0},
      {"frequency_penalty", 0.0},
      {"top_logprobs", 0},
      {"background", false},
      {"service_tier", "default"},
      {"metadata", json::object{}},
      {"safety_identifier", nullptr},
      {"prompt_cache_key", nullptr},
      {"usage", done ? json::value(usage(a)) : json::value(nullptr)}};
}

class ResponsesWire final : public WireFormat {
 public:
  Prompt read_prompt(const json::object& body) const override {
    Prompt p;
    if (auto* instructions = body.if_contains("instructions"); instructions && instructions->is_string())
      p.prompt_chars += instructions->get_string().size();
    const json::value* input = body.if_contains("input");
    if (input && input->is_string()) {
      p.last_user_text = input->get_string();
      p.prompt_chars += p.last_user_text.size();
    } else if (input && input->is_array()) {
      for (const auto& i : input->get_array()) {
        if (!i.is_object()) throw BadRequest{"each input item must be an object"};
        const auto& item = i.get_object();
        std::string type = string_at(item, "type", item.contains("role") ? "message" : "");
        if (type == "message") {
          std::string text = item.contains("content") ? text_of(item.at("content")) : "";
          p.prompt_chars += text.size();
          p.answering_tool_result = false;
          if (string_at(item, "role") == "user") p.last_user_text = text;
        } else if (type == "function_call_output") {
          p.answering_tool_result = true;
          p.tool_result_text = item.contains("output") ? text_of(item.at("output")) : "";
          p.prompt_chars += p.tool_result_text.size();
        } else if (type == "function_call") {
          p.answering_tool_result = false;
        } else if (type == "reasoning") {
          // As OpenAI does: encrypted reasoning it did not issue cannot be read back.
          std::string sealed = string_at(item, "encrypted_content");
          if (!sealed.empty() && sealed != kSealedReasoning)
            throw BadRequest{"The encrypted content for item " + string_at(item, "id") +
                             " could not be verified. Reason: Encrypted content could not be decrypted or parsed."};
        } else {
          throw BadRequest{
              fmt::format("Invalid value: '{}'. Supported values are: 'message', 'function_call', "
                          "'function_call_output' and 'reasoning'.",
                          type)};
        }
      }
    } else {
      throw BadRequest{"Missing required parameter: 'input'."};
    }
    p.max_output_tokens = count_at(body, "max_output_tokens");
    if (const auto* tools = body.if_contains("tools"); tools && tools->is_array())
      for (const auto& t : tools->get_array()) {
        if (!t.is_object() || string_at(t.get_object(), "type") != "function") continue;
        if (string_at(t.get_object(), "name").empty()) throw BadRequest{"Missing required parameter: 'tools[].name'."};
        p.tools.push_back(Tool{string_at(t.get_object(), "name"), object_at(t.get_object(), "parameters")});
      }
    if (const auto* choice = body.if_contains("tool_choice")) {
      if (choice->is_string()) {
        p.tools_allowed = choice->get_string() != "none";
        p.tool_required = choice->get_string() == "required";
      }
      if (choice->is_object()) p.forced_tool = string_at(choice->get_object(), "name");
    }
    std::string effort = string_at(object_at(body, "reasoning"), "effort");
    p.reasoning_requested = !effort.empty() && effort != "none";
    return p;
  }

  std::string reply(const Answer& a, const ReplyMeta& meta) const override {
    return json::serialize(response(a, meta, "completed"));
  }

  std::vector<std::string> stream(const Answer& a, const ReplyMeta& meta) const override {
    int sequence = 0;
    auto event = [&](std::string_view type, const json::object& fields) {
      json::object e{{"type", type}, {"sequence_number", sequence++}};
      for (const auto& [key, value] : fields) e[key] = value;
      return fmt::format("event: {}\ndata: {}\n\n", type, json::serialize(e));
    };
    std::vector<std::string> ticks;
    std::string first = event("response.created", {{"response", response(a, meta, "in_progress")}});
    first += event("response.in_progress", {{"response", response(a, meta, "in_progress")}});
    json::array items = output_items(a, meta);
    int index = 0;
    if (!a.reasoning.empty()) {
      json::object item = items[0].get_object();
      std::string id(item["id"].get_string());
      json::object empty = item;
      empty["summary"] = json::array{};
      json::object part{{"type", "summary_text"}, {"text", a.reasoning}};
      first += event("response.output_item.added", {{"output_index", index}, {"item", empty}});
      first += event("response.reasoning_summary_part.added", {{"item_id", id},
                                                               {"output_index", index},
                                                               {"summary_index", 0},
                                                               {"part", {{"type", "summary_text"}, {"text", ""}}}});
      first += event("response.reasoning_summary_text.delta",
                     {{"item_id", id}, {"output_index", index}, {"summary_index", 0}, {"delta", a.reasoning}});
      first += event("response.reasoning_summary_text.done",
                     {{"item_id", id}, {"output_index", index}, {"summary_index", 0}, {"text", a.reasoning}});
      first += event("response.reasoning_summary_part.done",
                     {{"item_id", id}, {"output_index", index}, {"summary_index", 0}, {"part", part}});
      first += event("response.output_item.done", {{"output_index", index}, {"item", item}});
      ++index;
    }
    json::object item = items[static_cast<std::size_t>(index)].get_object();
    std::string id(item["id"].get_string());
    if (a.tool_call) {
      json::object added = item;
      added["arguments"] = "";
      added["status"] = "in_progress";
      first += event("response.output_item.added", {{"output_index", index}, {"item", added}});
      ticks.push_back(std::move(first));
      // Arguments arrive in pieces, as real models send them.
      const std::string& args = a.tool_call->arguments_json;
      const std::size_t step = std::max<std::size_t>(1, (args.size() + 3) / 4);
      for (std::size_t i = 0; i < args.size(); i += step)
        ticks.push_back(event("response.function_call_arguments.delta",
                              {{"item_id", id}, {"output_index", index}, {"delta", args.substr(i, step)}}));
      ticks.back() += event("response.function_call_arguments.done",
                            {{"item_id", id}, {"output_index", index}, {"arguments", args}});
    } else {
      json::object added = item;
      added["status"] = "in_progress";
      added["content"] = json::array{};
      json::object empty_part{
          {"type", "output_text"}, {"text", ""}, {"annotations", json::array{}}, {"logprobs", json::array{}}};
      first += event("response.output_item.added", {{"output_index", index}, {"item", added}});
      first += event("response.content_part.added",
                     {{"item_id", id}, {"output_index", index}, {"content_index", 0}, {"part", empty_part}});
      for (std::size_t i = 0; i < a.pieces.size(); ++i) {
        std::string delta = event("response.output_text.delta", {{"item_id", id},
                                                                 {"output_index", index},
                                                                 {"content_index", 0},
                                                                 {"delta", a.pieces[i]},
                                                                 {"logprobs", json::array{}}});
        if (i == 0)
          first += delta;  // the first token goes out with the preamble
        else
          ticks.push_back(std::move(delta));
      }
      ticks.insert(ticks.begin(), std::move(first));
      json::object part = item["content"].get_array()[0].get_object();
      ticks.back() += event("response.output_text.done", {{"item_id", id},
                                                          {"output_index", index},
                                                          {"content_index", 0},
                                                          {"text", a.text()},
                                                          {"logprobs", json::array{}}});
      ticks.back() += event("response.content_part.done",
                            {{"item_id", id}, {"output_index", index}, {"content_index", 0}, {"part", part}});
    }
    ticks.back() += event("response.output_item.done", {{"output_index", index}, {"item", item}});
    json::object done = response(a, meta, "completed");
    std::string status(done["status"].get_string());
    ticks.back() += event(status == "completed" ? "response.completed" : "response.incomplete", {{"response", done}});
    return ticks;
  }

  std::string error_body(int status, std::string_view message) const override {
    return openai_wire().error_body(status, message);
  }
  std::string context_overflow_body(int tokens, int limit) const override {
    return openai_wire().context_overflow_body(tokens, limit);
  }
  std::string policy_refusal_body() const override { return openai_wire().policy_refusal_body(); }
};

}  // namespace

const WireFormat& responses_wire() {
  static const ResponsesWire wire;
  return wire;
}

}  // namespace switchyard::sim
