#pragma once
// Reading an OpenAI chat request for translation into another provider's format: the pieces
// every translator needs, read one way.
#include <boost/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"

namespace switchyard::openai_in {

// A data: URL split into its media type and base64 payload; nullopt for other URLs.
struct InlineImage {
  std::string media_type;
  std::string base64;
};
std::optional<InlineImage> parse_data_url(std::string_view url);

// The text of a message's content: a string, or its text parts joined.
std::string content_text(const boost::json::value& content);

// max_completion_tokens, else max_tokens; nullopt when neither is given.
std::optional<int64_t> max_output_tokens(const boost::json::object& request);

// `stop` as a list (it may be one string).
std::vector<std::string> stop_sequences(const boost::json::object& request);

// A thinking budget for reasoning_effort (minimal, low, medium, high); nullopt when absent.
std::optional<int64_t> thinking_budget(const boost::json::object& request);

// An assistant message's tool call; a bad_request Error when it has no function name or its
// arguments are not a JSON object.
struct ToolCallIn {
  std::string_view id;
  std::string_view name;
  boost::json::object arguments;
};
std::variant<ToolCallIn, Error> tool_call(const boost::json::value& call);

// The request's messages, each an object with a string role. The parse phase checked this
// already; translators check again, as their JSON parser may read a body (one with duplicate
// keys, say) differently.
std::variant<const boost::json::array*, Error> messages_of(const boost::json::object& request);

}  // namespace switchyard::openai_in
