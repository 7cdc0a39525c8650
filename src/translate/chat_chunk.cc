#include "translate/chat_chunk.h"

#include <boost/json.hpp>

#include "translate/errors.h"
#include "translate/json_fields.h"

namespace switchyard {

const boost::json::object* ChatChunk::usage() const {
  const auto* usage = chunk_.if_contains("usage");
  return usage && usage->is_object() ? &usage->get_object() : nullptr;
}

const boost::json::array& ChatChunk::choices() const {
  static const boost::json::array none;
  const auto* choices = chunk_.if_contains("choices");
  return choices && choices->is_array() ? choices->get_array() : none;
}

const boost::json::object* ChatChunk::choice() const {
  return choices().empty() ? nullptr : choices().front().if_object();
}

const boost::json::object& ChatChunk::delta() const {
  static const boost::json::object none;
  const boost::json::object* first = choice();
  return first ? json_fields::object_field(*first, "delta") : none;
}

const boost::json::object& ChatChunk::message() const {
  static const boost::json::object none;
  const boost::json::object* first = choice();
  return first ? json_fields::object_field(*first, "message") : none;
}

std::string_view ChatChunk::finish_reason() const {
  const boost::json::object* first = choice();
  return first ? json_fields::string_field(*first, "finish_reason") : std::string_view();
}

std::string_view chat_reasoning(const boost::json::object& message) {
  std::string_view text = json_fields::string_field(message, "reasoning");
  return text.empty() ? json_fields::string_field(message, "reasoning_content") : text;
}

std::variant<ChatChunk, Error> read_chat_chunk(std::string_view data) {
  auto parsed = answer_object(data, "an event is not a JSON object");
  if (auto* error = std::get_if<Error>(&parsed)) return *error;
  ChatChunk chunk(std::get<boost::json::object>(std::move(parsed)));
  if (auto* error = chunk.object().if_contains("error"); error && error->is_object())
    return provider_stream_error(chunk.object());
  if (auto* choices = chunk.object().if_contains("choices");
      choices && choices->is_array() && !choices->get_array().empty() && !choices->get_array().front().is_object())
    return malformed_answer("a choice is not an object");
  return chunk;
}

std::variant<ChatChunk, Error> read_chat_completion(std::string_view body) {
  auto parsed = answer_object(body, "not a JSON object");
  if (auto* error = std::get_if<Error>(&parsed)) return *error;
  ChatChunk completion(std::get<boost::json::object>(std::move(parsed)));
  if (!completion.choice()) return malformed_answer("no choices");
  return completion;
}

}  // namespace switchyard
