#pragma once
// What the simulated model says, independent of wire format: deterministic for a given
// scenario and prompt, so tests can assert exact text and usage.
#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <vector>

#include "sim/scenario.h"

namespace switchyard::sim {

struct Tool {
  std::string name;
  boost::json::object parameters;  // JSON Schema of the arguments
};

// The parts of a request, in any wire format, that decide the answer.
struct Prompt {
  std::string last_user_text;
  std::vector<Tool> tools;
  std::string forced_tool;             // a named tool_choice
  bool tool_required = false;          // tool_choice required (OpenAI), any (Anthropic), ANY (Gemini)
  bool tools_allowed = true;           // false for tool_choice none
  bool answering_tool_result = false;  // the last message carries a tool result
  bool reasoning_requested = false;    // the request asks for reasoning (Responses: reasoning.effort)
  // A tool call in the history without the signature its provider wants back with it (Gemini's
  // thoughtSignature; Anthropic's signed thinking block first in the turn).
  bool unsigned_call = false;
  std::string tool_result_text;
  std::size_t prompt_chars = 0;
  std::string received_auth;  // the credential header the simulator received (for inspect)
  std::string received_model;
  std::vector<std::string> received_keys;  // the request body's top-level keys (for inspect)
  int choices = 1;                         // OpenAI's n, Gemini's candidateCount (1-8)
  bool logprobs = false;                   // OpenAI's logprobs, Gemini's responseLogprobs
  // The text of the request's final message when it is the assistant's (Gemini: the model's):
  // the start of the answer, which the simulator continues (see compose_answer).
  std::string prefill;
  int max_output_tokens = 0;  // max_tokens, max_completion_tokens, maxOutputTokens; 0 when absent
};

struct ToolCall {
  std::string id;
  std::string name;
  std::string arguments_json;
};

enum class Finish { stop, length, tool_calls };

struct Answer {
  std::vector<std::string> pieces;  // text tokens, in order; empty for a tool call
  std::string reasoning;            // what the model thought first, when reasoning was asked for
  std::optional<ToolCall> tool_call;
  int prompt_tokens = 0;
  int completion_tokens = 0;
  Finish finish = Finish::stop;
  int choices = 1;        // as many choices (candidates), each the same answer (non-streamed replies)
  bool logprobs = false;  // each text token with a log probability
  std::string text() const;
};

// A tool is called only when the request asks for one: its tool_choice requires one or names
// one, or its last user message carries the marker "[call]" (the first tool) or "[call:NAME]";
// never in answer to a tool result and never with tool_choice none. Otherwise the answer is text,
// decided by the rest of the request whatever its prefill; when that text starts with the
// prefill, the answer is only the rest of it (the continuation), else the whole text (a model
// that starts over). Its completion tokens count what it says, its prompt tokens the prefill too.
Answer compose_answer(const Scenario& scenario, const Prompt& prompt);

// The simulator's count of the tokens in a prompt: a quarter of its characters, at least 1.
int prompt_tokens(const Prompt& prompt);

// Arguments that satisfy a JSON Schema's shape: strings "sim", numbers 1, booleans true,
// the first enum value; nested objects filled the same way.
boost::json::value sample_for_schema(const boost::json::value& schema);

// Splits text into tokens of a word and its leading space, as streaming models do.
std::vector<std::string> split_tokens(std::string_view text);

}  // namespace switchyard::sim
