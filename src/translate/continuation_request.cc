#include "translate/continuation_request.h"

namespace switchyard {

boost::json::object continuation_request(const boost::json::object& openai, std::string_view prefill, Prefill how) {
  boost::json::object request = openai;
  if (prefill.empty()) return request;
  for (std::string_view key : {"reasoning_effort", "reasoning", "thinking"}) request.erase(key);
  boost::json::object message{{"role", "assistant"}, {"content", prefill}};
  if (how == Prefill::prefix) message["prefix"] = true;
  if (how == Prefill::continue_final_message) {
    request["continue_final_message"] = true;
    request["add_generation_prompt"] = false;
  }
  boost::json::value* messages = request.if_contains("messages");
  if (!messages || !messages->is_array()) messages = &(request["messages"] = boost::json::array());
  messages->get_array().push_back(std::move(message));
  return request;
}

}  // namespace switchyard
