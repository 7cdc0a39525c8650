#include "sim/answer.h"

#include <algorithm>

#include <boost/json.hpp>
#include <cctype>

namespace switchyard::sim {
namespace json = boost::json;
namespace {

constexpr const char* kWords[] = {"The",     "gateway", "routes", "every",   "request", "to",    "a",       "healthy",
                                  "model,",  "counts",  "each",   "token",   "and",     "every", "dollar,", "then",
                                  "answers", "quickly", "with",   "nothing", "lost",    "on",    "the",     "way."};

int tokens_for_chars(std::size_t chars) { return static_cast<int>(std::max<std::size_t>(1, (chars + 3) / 4)); }

const Tool* tool_named(const Prompt& prompt, std::string_view name) {
  for (const auto& tool : prompt.tools)
    if (tool.name == name) return &tool;
  return nullptr;
}

// The tool the request asks to be called, if any (see compose_answer).
const Tool* chosen_tool(const Prompt& prompt) {
  if (!prompt.tools_allowed || prompt.answering_tool_result || prompt.tools.empty()) return nullptr;
  if (!prompt.forced_tool.empty()) return tool_named(prompt, prompt.forced_tool);
  std::string_view text = prompt.last_user_text;
  if (auto at = text.find("[call:"); at != std::string_view::npos) {
    std::string_view rest = text.substr(at + 6);
    return tool_named(prompt, rest.substr(0, rest.find(']')));
  }
  if (prompt.tool_required || text.find("[call]") != std::string_view::npos) return &prompt.tools.front();
  return nullptr;
}

// Removes `prefix` from the front of the text that `pieces` spell, when it starts with it; a piece
// the prefix ends inside keeps its rest.
void continue_after(std::vector<std::string>& pieces, std::string_view prefix) {
  std::string text;
  for (const auto& piece : pieces) text += piece;
  if (prefix.empty() || !std::string_view(text).starts_with(prefix)) return;
  std::vector<std::string> rest;
  std::size_t at = 0;  // where the current piece starts in the text
  for (auto& piece : pieces) {
    std::size_t end = at + piece.size();
    if (end > prefix.size()) rest.push_back(at >= prefix.size() ? std::move(piece) : piece.substr(prefix.size() - at));
    at = end;
  }
  pieces = std::move(rest);
}

}  // namespace

int prompt_tokens(const Prompt& prompt) { return tokens_for_chars(prompt.prompt_chars); }

std::string Answer::text() const {
  std::string out;
  for (const auto& piece : pieces) out += piece;
  return out;
}

std::vector<std::string> split_tokens(std::string_view text) {
  std::vector<std::string> tokens;
  std::size_t start = 0;
  for (std::size_t i = 1; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == ' ') {
      tokens.emplace_back(text.substr(start, i - start));
      start = i;
    }
  }
  return tokens;
}

json::value sample_for_schema(const json::value& schema) {
  if (!schema.is_object()) return "sim";
  const auto& s = schema.get_object();
  if (auto* values = s.if_contains("enum"); values && values->is_array() && !values->get_array().empty())
    return values->get_array().front();
  std::string type = "string";  // Gemini writes types in capitals ("OBJECT"), JSON Schema in lower case
  if (auto* t = s.if_contains("type"); t && t->is_string()) type = t->get_string();
  for (auto& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (type == "object") {
    json::object out;
    if (auto* props = s.if_contains("properties"); props && props->is_object())
      for (const auto& [name, sub] : props->get_object()) out[name] = sample_for_schema(sub);
    return out;
  }
  if (type == "array") {
    json::array out;
    if (auto* items = s.if_contains("items")) out.push_back(sample_for_schema(*items));
    return out;
  }
  if (type == "integer" || type == "number") return 1;
  if (type == "boolean") return true;
  if (type == "null") return nullptr;
  return "sim";
}

Answer compose_answer(const Scenario& scenario, const Prompt& prompt) {
  Answer answer;
  answer.choices = std::clamp(prompt.choices, 1, 8);
  answer.logprobs = prompt.logprobs;
  answer.prompt_tokens = prompt_tokens(prompt);
  if (prompt.reasoning_requested) answer.reasoning = "Reading the request before answering.";

  if (const Tool* tool = chosen_tool(prompt)) {
    std::string arguments = json::serialize(sample_for_schema(json::value(tool->parameters)));
    answer.tool_call = ToolCall{"call_sim_" + std::to_string(std::hash<std::string>{}(tool->name) % 100000000),
                                tool->name, std::move(arguments)};
    answer.completion_tokens =
        tokens_for_chars(answer.tool_call->name.size() + answer.tool_call->arguments_json.size());
    answer.finish = Finish::tool_calls;
    return answer;
  }

  if (prompt.answering_tool_result) {
    answer.pieces = split_tokens("Tool result: " + prompt.tool_result_text);
  } else if (scenario.base == "echo") {
    answer.pieces = split_tokens(prompt.last_user_text.empty() ? "(empty)" : prompt.last_user_text);
  } else if (scenario.base == "inspect") {
    json::array keys;
    for (const auto& key : prompt.received_keys) keys.emplace_back(key);
    answer.pieces = {json::serialize(
        json::object{{"model", prompt.received_model}, {"auth", prompt.received_auth}, {"keys", std::move(keys)}})};
  } else {
    constexpr std::size_t n = std::size(kWords);
    for (int i = 0; i < scenario.len; ++i) answer.pieces.push_back((i ? " " : "") + std::string(kWords[i % n]));
  }
  continue_after(answer.pieces, prompt.prefill);
  answer.completion_tokens = static_cast<int>(answer.pieces.size());
  return answer;
}

}  // namespace switchyard::sim
