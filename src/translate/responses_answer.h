#pragma once
// Answers in OpenAI chat form (as every adapter hands them out) -> the OpenAI Responses API's
// response object and its event stream (pure JSON, no I/O). A response is the request's echo
// (response_shell) plus output items: a reasoning item (its provider signature kept in
// encrypted_content), one assistant message, and a function_call item per tool call.
#include <boost/json/object.hpp>
#include <memory>
#include <string>
#include <variant>

#include "core/error.h"
#include "translate/stream_translator.h"

namespace switchyard {

// A chat.completion body -> a response object. `shell` is response_shell(request).
std::variant<std::string, Error> response_from_chat(std::string_view completion_body, const boost::json::object& shell,
                                                    int64_t created_at);

// chat.completion.chunk events -> the Responses event sequence (response.created ...
// response.completed), every event with its `event:` line and an increasing sequence_number. A
// failure is written as response.failed, then an `error` event (which the SDKs raise).
std::unique_ptr<StreamTranslator> responses_stream_from_chat(boost::json::object shell, int64_t created_at);

// A Responses stream that passes through as it came: it keeps count of sequence numbers so that
// a failure can still end it with a well-formed `error` event.
std::unique_ptr<StreamTranslator> responses_stream_passthrough();

// An `error` event of a Responses stream, for a failure before any event was relayed.
std::string responses_error_event(const Error& error, int64_t sequence_number);

}  // namespace switchyard
