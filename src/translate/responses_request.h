#pragma once
// The OpenAI Responses API as a client speaks it, read into OpenAI chat: the form the gateway's
// adapters take for providers that do not speak Responses themselves (pure JSON, no I/O).
// Providers that do speak it get the client's bytes instead and never come here.
#include <boost/json/object.hpp>
#include <string>
#include <variant>
#include <vector>

#include "core/error.h"

namespace switchyard {

struct ChatFromResponses {
  boost::json::object chat;           // an OpenAI chat request (model kept as given)
  std::vector<std::string> left_out;  // built-in tools no chat provider runs, by type
};

// A Responses request (already checked by parse_openai_request) -> OpenAI chat. `instructions`
// become the system message; message, function_call, function_call_output and reasoning items
// become chat messages in order (a reasoning item this gateway issued goes back as the next
// assistant message's reasoning, with its signature); function tools become chat tools and
// `web_search` the chat extension {"type": "web_search"} that the Anthropic and Gemini adapters
// map to their own search tool. A bad_request Error names the field (`input[3].role`, ...).
std::variant<ChatFromResponses, Error> chat_from_responses(const boost::json::object& request);

// The members of a response object that echo its request (instructions, tools, tool_choice,
// text, reasoning, temperature, ...), each present as the Open Responses schema requires, with
// `model` as the client asked for it.
boost::json::object response_shell(const boost::json::object& request);

}  // namespace switchyard
