#pragma once
// The Anthropic Messages API as a client speaks it, to and from OpenAI chat, the format the
// gateway's OpenAI and Gemini adapters take (pure JSON, no I/O). Anthropic clients calling
// Anthropic providers never come here: those bytes pass through.
#include <boost/json/object.hpp>
#include <memory>
#include <string>
#include <variant>

#include "core/error.h"
#include "translate/openai_request.h"
#include "translate/stream_translator.h"

namespace switchyard {

struct MessagesRequest {
  RequestView view;             // model, stream, and where the model sits in the raw body
  boost::json::object request;  // the whole request
};

// The parse phase for POST /v1/messages: the body validated as Anthropic does (model,
// max_tokens, messages with user/assistant roles); errors name the field.
std::variant<MessagesRequest, Error> parse_messages_request(std::string& body);

// A Messages request -> an OpenAI chat request (model kept as given). A stream asks for usage.
std::variant<boost::json::object, Error> openai_request_from_anthropic(const boost::json::object& messages_request);

// A chat.completion body -> a Messages response body. `model` is what the client asked for.
std::variant<std::string, Error> anthropic_response_from_openai(std::string_view completion_body,
                                                                std::string_view model);

// chat.completion.chunk events -> the Anthropic event sequence (message_start ... message_stop).
std::unique_ptr<StreamTranslator> anthropic_stream_from_openai(std::string model);

// {"type":"error","error":{"type","message"}}: Anthropic's error shape.
std::string anthropic_error_body(const Error& error);
// The same as a stream event ("event: error\ndata: ...\n\n").
std::string anthropic_error_event(const Error& error);

}  // namespace switchyard
