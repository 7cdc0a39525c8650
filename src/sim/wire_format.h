#pragma once
// One provider API as the simulator speaks it: how a request body is read and how answers,
// streams and errors are written, exactly as that provider does.
#include <boost/json/object.hpp>
#include <string>
#include <vector>

#include "sim/answer.h"

namespace switchyard::sim {

struct ReplyMeta {
  std::string id;
  std::string model;
  long long created = 0;       // Unix seconds
  bool include_usage = false;  // OpenAI stream_options.include_usage
};

struct BadRequest {
  std::string message;
};

class WireFormat {
 public:
  virtual ~WireFormat() = default;
  // The prompt in `body`, or throws BadRequest naming what is wrong.
  virtual Prompt read_prompt(const boost::json::object& body) const = 0;
  virtual std::string reply(const Answer& answer, const ReplyMeta& meta) const = 0;
  // The stream, grouped in ticks: tick 0 goes out after the time to first token, each later
  // tick after the inter-token delay. Each tick is one or more complete SSE events.
  virtual std::vector<std::string> stream(const Answer& answer, const ReplyMeta& meta) const = 0;
  virtual std::string error_body(int status, std::string_view message) const = 0;
  // The provider's own 400 bodies for a request of `tokens` tokens over a context window of
  // `limit`, and for a request its content policy refuses.
  virtual std::string context_overflow_body(int tokens, int limit) const = 0;
  virtual std::string policy_refusal_body() const = 0;
};

const WireFormat& openai_wire();
const WireFormat& responses_wire();  // OpenAI's Responses API
const WireFormat& anthropic_wire();
const WireFormat& gemini_wire();

// Shared reading helpers.
std::string text_of(const boost::json::value& content);  // a string, or the text of content parts
boost::json::object object_at(const boost::json::object& parent, std::string_view key);  // {} when absent
std::string string_at(const boost::json::object& parent, std::string_view key, std::string_view fallback = {});
// A whole number of tokens (0 when absent, not a number or negative; at most 2^30).
int count_at(const boost::json::object& parent, std::string_view key);

}  // namespace switchyard::sim
