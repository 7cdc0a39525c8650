#pragma once
// What accounting needs from an answer on its way to the client: token usage, why it finished,
// and where its id and usage object sit (so the generation id and the cost can be written in
// without re-serialising). Read from a whole body or from each event of a stream, in the
// client's wire format; the finish reason is told in OpenAI's words whatever the format.
#include <optional>
#include <string>
#include <string_view>

#include "translate/openai_output.h"

namespace switchyard {

// openai: chat completions and chunks; anthropic: messages and their events; responses: the
// Responses API's response object, bare or inside a stream event's `response`; gemini: a
// GenerateContentResponse (each stream event is one, usageMetadata cumulative).
enum class AnswerFormat { openai, anthropic, responses, gemini };

// One JSON document (a body or an event's data) read for accounting.
struct AnswerScan {
  std::optional<TokenUsage> usage;
  std::string finish_reason;
  // Byte spans in the document: the top-level "id" string token (quotes included) and the
  // top-level "usage" object (braces included); length 0 when absent. For Responses events,
  // those of the `response` object they carry.
  std::size_t id_offset = 0, id_length = 0;
  std::size_t usage_offset = 0, usage_length = 0;
  // The whole top-level "usage" member (an object or null, as OpenAI chunks of a stream that
  // asked for usage carry) with its separating comma; length 0 when absent.
  std::size_t usage_member_offset = 0, usage_member_length = 0;
  bool has_choices = false;  // a non-empty top-level "choices" array (OpenAI)
};

// Reads a body or event; nullopt when it is not a JSON object.
std::optional<AnswerScan> scan_answer(AnswerFormat format, std::string_view json);

// Folds one stream event's scan into what is known of the answer so far (Anthropic reports input
// tokens at the start and output tokens at the end).
void fold_event(AnswerFormat format, const AnswerScan& scan, AnswerFacts& facts);

// `json` with the id token replaced by `id` (when it has one and `id` is not empty) and either,
// with `drop_usage`, its "usage" member removed (object or null), or "cost" added to its usage
// object when it has one (`cost` in USD, or null when unknown); every other byte as it was.
std::string stamp_answer(std::string_view json, const AnswerScan& scan, std::string_view id, std::optional<double> cost,
                         bool drop_usage = false);

// Anthropic's stop_reason in OpenAI's words.
std::string openai_finish_reason(std::string_view anthropic_stop_reason);

}  // namespace switchyard
