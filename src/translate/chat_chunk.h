#pragma once
// A chat.completion, or one chat.completion.chunk of a stream, read once for the translators
// that turn chat answers into another client's (Anthropic's, the Responses API's, Gemini's).
#include <boost/json/object.hpp>
#include <string_view>
#include <variant>

#include "core/error.h"

namespace switchyard {

class ChatChunk {
 public:
  explicit ChatChunk(boost::json::object chunk) : chunk_(std::move(chunk)) {}
  const boost::json::object& object() const { return chunk_; }
  // Its usage object, or nullptr.
  const boost::json::object* usage() const;
  // Its choices (an empty array when it has none), and the first, or nullptr when it has none (a
  // usage-only chunk). Only the first is checked to be an object.
  const boost::json::array& choices() const;
  const boost::json::object* choice() const;
  // The first choice's delta (an empty object when none) and finish_reason (empty when none).
  const boost::json::object& delta() const;
  const boost::json::object& message() const;  // a completion's: the first choice's message
  std::string_view finish_reason() const;

 private:
  boost::json::object chunk_;
};

// The reasoning text of a chat message or delta: `reasoning`, or `reasoning_content` as several
// OpenAI-compatible hosts name it.
std::string_view chat_reasoning(const boost::json::object& message);

// The chunk in an event's data; an Error when it is not a JSON object, when the provider reported
// an error in it, or when its first choice is not an object.
std::variant<ChatChunk, Error> read_chat_chunk(std::string_view data);

// A whole chat.completion; an Error when it is not a JSON object or has no choice object.
std::variant<ChatChunk, Error> read_chat_completion(std::string_view body);

}  // namespace switchyard
