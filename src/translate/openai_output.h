#pragma once
// Builds what OpenAI clients read — chat completions and stream chunks — from answers that came
// in another provider's format. Every body carries the fields clients rely on (`refusal`,
// `logprobs`, ...), as the published schemas require.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"

#include "core/usage.h"

namespace switchyard {

struct ToolCallOut {
  std::string id;
  std::string name;
  std::string arguments;  // JSON text
  // Gemini's thoughtSignature on the call, as `thought_signature` (a gateway extension): Gemini 3
  // wants it back with the call in the next request.
  std::string thought_signature;
};

struct CompletionOut {
  std::string id;
  std::string model;
  int64_t created = 0;
  std::optional<std::string> content;  // null when the answer is only tool calls
  std::string reasoning;               // thinking text, as `reasoning` (empty: absent)
  // The provider's signature over `reasoning` (Anthropic's), as `reasoning_signature`, a gateway
  // extension: a client that keeps it (Responses' encrypted_content) can send the thinking back.
  std::string reasoning_signature;
  std::vector<ToolCallOut> tool_calls;
  std::string finish_reason = "stop";
  boost::json::value logprobs;  // the choice's logprobs object; null unless asked for
  std::optional<TokenUsage> usage;
};

// One choice of a chat.completion: `completion`'s message and finish reason at `index`.
boost::json::object completion_choice(const CompletionOut& completion, std::size_t index);

// A chat.completion body: `completion` as its first choice, then `more_choices` (a provider that
// answered with several candidates).
std::string completion_body(const CompletionOut& completion, boost::json::array more_choices = {});

// Writes chat.completion.chunk events ("data: {...}\n\n") for one streamed answer.
class ChunkWriter {
 public:
  ChunkWriter(std::string id, std::string model, int64_t created)
      : id_(std::move(id)), model_(std::move(model)), created_(created) {}
  void role(std::string& out);
  void text(std::string& out, std::string_view delta);
  void reasoning(std::string& out, std::string_view delta);
  void reasoning_signature(std::string& out, std::string_view signature);
  void tool_call_start(std::string& out, int index, std::string_view id, std::string_view name,
                       std::string_view thought_signature = {});
  void tool_call_arguments(std::string& out, int index, std::string_view delta);
  void finish(std::string& out, std::string_view finish_reason);
  void usage(std::string& out, const TokenUsage& usage);
  static void done(std::string& out);

 private:
  // One chunk event; every chunk carries the same envelope around its choices (and usage).
  void event(std::string& out, boost::json::array choices, boost::json::value usage = nullptr);
  void chunk(std::string& out, boost::json::object delta, std::string_view finish_reason = {});
  std::string id_;
  std::string model_;
  int64_t created_;
};

}  // namespace switchyard
