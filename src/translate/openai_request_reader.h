#pragma once
// Reading an OpenAI chat request for translation into another provider's format: the pieces
// every translator needs, read one way.
#include <boost/json.hpp>
#include <functional>
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

// The other way, for clients that give a budget (Anthropic's thinking, Gemini's thinkingConfig): the
// least reasoning_effort whose budget covers `budget` tokens (low, medium), else high.
std::string_view reasoning_effort_for(int64_t budget);

// True for the gateway's chat extension {"type": "web_search"}: a search the provider runs
// itself (Responses' built-in web_search tool), mapped by the Anthropic and Gemini adapters.
bool is_web_search(const boost::json::value& tool);

// An assistant message's tool call; a bad_request Error when it has no function name or its
// arguments are not a JSON object.
struct ToolCallIn {
  std::string_view id;
  std::string_view name;
  boost::json::object arguments;
  // Gemini's signature of the call: the call's own `thought_signature`, or its entry in the
  // message's `thought_signatures` ({call id: signature}, from a Responses reasoning item).
  std::string_view thought_signature;
};
std::variant<ToolCallIn, Error> tool_call(const boost::json::value& call);

// The request's messages, each an object with a string role. The parse phase checked this
// already; translators check again, as their JSON parser may read a body (one with duplicate
// keys, say) differently.
std::variant<const boost::json::array*, Error> messages_of(const boost::json::object& request);

// How a provider format writes a conversation; build_conversation walks the OpenAI messages once
// for every format.
struct ConversationStyle {
  std::string_view provider;        // for error messages: "an Anthropic provider"
  std::string_view assistant_role;  // "assistant", or Gemini's "model"
  std::string_view items_key;       // "content", or Gemini's "parts"
  // A message's content as the format's items (content blocks, parts).
  std::function<std::variant<boost::json::array, Error>(const boost::json::value* content)> items;
  std::function<boost::json::value(ToolCallIn& call)> tool_call;
  // A tool message: the call it answers and its text.
  std::function<std::variant<boost::json::value, Error>(std::string_view tool_call_id, std::string text)> tool_result;
  // An assistant message's signed reasoning (`reasoning` with `reasoning_signature`, a gateway
  // extension) as the format's first item; null for formats that take none back.
  std::function<boost::json::value(std::string_view text, std::string_view signature)> signed_reasoning;
};

struct Conversation {
  boost::json::array system;  // the items of system and developer messages
  boost::json::array turns;   // {"role", items_key: [...]}, same roles merged
};

std::variant<Conversation, Error> build_conversation(const boost::json::object& request,
                                                     const ConversationStyle& style);

}  // namespace switchyard::openai_in
