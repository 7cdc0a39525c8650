#include "translate/answer_facts.h"

#include "core/json_text.h"
#include "translate/gemini_response.h"
#include "translate/json_fields.h"
#include "translate/json_parse.h"
#include "translate/parser_memory.h"

#include <simdjson.h>

#include <fmt/format.h>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include <algorithm>
#include <boost/container/small_vector.hpp>
#include <tuple>

namespace switchyard {
namespace {
namespace od = simdjson::ondemand;

using json_fields::kMaxTokens;

// An error that leaves the document unreadable (its iterator is gone): the scan must stop. Other
// errors (a missing field, a value of another type) only mean "no value".
bool fatal(simdjson::error_code error) {
  return error && error != simdjson::NO_SUCH_FIELD && error != simdjson::INCORRECT_TYPE &&
         error != simdjson::NUMBER_OUT_OF_RANGE && error != simdjson::NUMBER_ERROR;
}

// The fields of `object` named in `wanted`, each a token count (0 when absent or not a whole
// number), read in one pass: simdjson's unordered lookups rewind over fields they passed,
// assuming they were valid, which an untrusted document need not be. False when it is damaged.
bool read_counts(od::object object, std::initializer_list<std::pair<std::string_view, int64_t*>> wanted) {
  for (auto field : object) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return false;
    for (const auto& [name, out] : wanted)
      if (key == name) {
        int64_t value = 0;
        auto error = field.value().get_int64().get(value);
        if (fatal(error)) return false;
        *out = error ? 0 : std::clamp<int64_t>(value, 0, kMaxTokens);
      }
  }
  return true;
}

// A usage object in `format`, normalised (input counts cached tokens); nullopt when malformed.
// Read in one pass, each details object read where it stands.
std::optional<TokenUsage> read_usage(od::object usage, AnswerFormat format) {
  TokenUsage u;
  if (format == AnswerFormat::anthropic) {
    int64_t input = 0;
    if (!read_counts(usage, {{"cache_read_input_tokens", &u.cache_read},
                             {"cache_creation_input_tokens", &u.cache_write},
                             {"input_tokens", &input},
                             {"output_tokens", &u.output}}))
      return std::nullopt;
    u.input = input + u.cache_read + u.cache_write;
    return u;
  }
  const bool responses = format == AnswerFormat::responses;
  const std::string_view input_key = responses ? "input_tokens" : "prompt_tokens";
  const std::string_view output_key = responses ? "output_tokens" : "completion_tokens";
  const std::string_view input_details = responses ? "input_tokens_details" : "prompt_tokens_details";
  const std::string_view output_details = responses ? "output_tokens_details" : "completion_tokens_details";
  for (auto field : usage) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return std::nullopt;
    if (key == input_key || key == output_key) {
      int64_t value = 0;
      auto error = field.value().get_int64().get(value);
      if (fatal(error)) return std::nullopt;
      (key == input_key ? u.input : u.output) = error ? 0 : std::clamp<int64_t>(value, 0, kMaxTokens);
    } else if (key == input_details || key == output_details) {
      od::object details;
      auto error = field.value().get_object().get(details);
      if (fatal(error)) return std::nullopt;
      if (error) continue;
      bool read = key == input_details
                      ? read_counts(details, {{"cached_tokens", &u.cache_read}, {"cache_write_tokens", &u.cache_write}})
                      : read_counts(details, {{"reasoning_tokens", &u.reasoning}});
      if (!read) return std::nullopt;
    }
  }
  return u;
}

std::string_view trimmed(std::string_view token) {
  while (!token.empty() &&
         (token.back() == ' ' || token.back() == '\n' || token.back() == '\r' || token.back() == '\t'))
    token.remove_suffix(1);
  return token;
}

// A string value, empty when absent or of another type; `broken` is set on a fatal error.
std::string string_or_empty(simdjson::simdjson_result<od::value> value, bool& broken) {
  std::string_view text;
  auto error = value.get_string().get(text);
  broken = broken || fatal(error);
  return error ? std::string() : std::string(text);
}

// The span of the member whose value is [value_at, value_end) in `json`: from the comma before
// its key (or, for a first member, from its key to the comma after the value). Found by walking
// back from the value (ondemand's `field.key()` is gone once the value is taken); the key holds
// no escaped quote ("usage").
std::pair<std::size_t, std::size_t> member_span(std::string_view json, std::size_t value_at, std::size_t value_end) {
  std::size_t colon = json.find_last_not_of(" \t\r\n", value_at - 1);
  std::size_t key_close = json.find_last_not_of(" \t\r\n", colon - 1);
  std::size_t key_at = json.rfind('"', key_close - 1);
  std::size_t start = json.find_last_not_of(" \t\r\n", key_at - 1);
  std::size_t end = value_end;
  if (json[start] != ',') {
    start = key_at;
    end = json.find_first_not_of(" \t\r\n", end);
    if (end == std::string_view::npos)
      end = value_end;
    else if (json[end] == ',')
      ++end;
    else
      end = value_end;
  }
  return {start, end - start};
}

// Notes the span of an "id" string token, or of a "usage" member (its object read as `format`,
// or null); false when the document is damaged.
bool note_id_or_usage(std::string_view key, od::value& value, od::json_type type, AnswerFormat format,
                      std::string_view buffer, AnswerScan& scan) {
  auto offset_of = [&](std::string_view inside) { return static_cast<std::size_t>(inside.data() - buffer.data()); };
  if (key == "id") {
    if (type == od::json_type::string) {
      std::string_view token = trimmed(value.raw_json_token());
      scan.id_offset = offset_of(token);
      scan.id_length = token.size();
    }
    return true;
  }
  if (type == od::json_type::null) {
    std::string_view token = trimmed(value.raw_json_token());
    if (token != "null") return false;  // a damaged literal ("nu"): not a document
    std::size_t value_at = offset_of(token);
    std::tie(scan.usage_member_offset, scan.usage_member_length) = member_span(buffer, value_at, value_at + 4);
    return true;
  }
  od::object object;
  if (auto error = value.get_object().get(object)) return !fatal(error);
  std::string_view raw;
  if (object.raw_json().get(raw)) return false;
  raw = trimmed(raw);
  scan.usage_offset = offset_of(raw);
  scan.usage_length = raw.size();
  std::tie(scan.usage_member_offset, scan.usage_member_length) =
      member_span(buffer, scan.usage_offset, scan.usage_offset + scan.usage_length);
  object.reset();
  scan.usage = read_usage(object, format);
  return scan.usage.has_value();
}

// A Responses response object: its id, usage, and the finish reason in OpenAI's words (status
// completed: tool_calls when an output item is a tool call, else stop; incomplete: length, or
// content_filter). False when the document is damaged.
bool scan_response(od::object& response, std::string_view buffer, AnswerScan& scan) {
  std::string status, incomplete_reason;
  bool calls = false, broken = false;
  for (auto field : response) {
    std::string_view key;
    od::value value;
    od::json_type type;
    if (field.unescaped_key().get(key) || field.value().get(value) || value.type().get(type)) return false;
    if (key == "id" || key == "usage") {
      if (!note_id_or_usage(key, value, type, AnswerFormat::responses, buffer, scan)) return false;
    } else if (key == "status") {
      status = string_or_empty(simdjson::simdjson_result<od::value>(od::value(value)), broken);
    } else if (key == "incomplete_details" && type == od::json_type::object) {
      od::object details;
      if (value.get_object().get(details)) return false;
      incomplete_reason = string_or_empty(details.find_field_unordered("reason"), broken);
    } else if (key == "output" && type == od::json_type::array) {
      od::array items;
      if (value.get_array().get(items)) return false;
      for (auto item : items) {
        od::object object;
        if (auto error = item.get_object().get(object)) {
          if (fatal(error)) return false;
          continue;
        }
        std::string item_type = string_or_empty(object.find_field_unordered("type"), broken);
        calls = calls || item_type == "function_call" || item_type == "custom_tool_call";
        if (broken) return false;
      }
    }
    if (broken) return false;
  }
  if (status == "completed")
    scan.finish_reason = calls ? "tool_calls" : "stop";
  else if (status == "incomplete")
    scan.finish_reason = incomplete_reason == "content_filter" ? "content_filter" : "length";
  return true;
}

// A GenerateContentResponse: usageMetadata (normalised as usage_from_gemini does) and the first
// candidate's finishReason in OpenAI's words. False when the document is damaged.
bool scan_gemini(od::object& root, AnswerScan& scan) {
  for (auto field : root) {
    std::string_view key;
    od::value value;
    od::json_type type;
    if (field.unescaped_key().get(key) || field.value().get(value) || value.type().get(type)) return false;
    if (key == "usageMetadata" && type == od::json_type::object) {
      od::object usage;
      TokenUsage u;
      int64_t candidates = 0;
      if (value.get_object().get(usage) || !read_counts(usage, {{"promptTokenCount", &u.input},
                                                                {"candidatesTokenCount", &candidates},
                                                                {"cachedContentTokenCount", &u.cache_read},
                                                                {"thoughtsTokenCount", &u.reasoning}}))
        return false;
      u.output = candidates + u.reasoning;
      scan.usage = u;
    } else if (key == "candidates" && type == od::json_type::array) {
      od::array candidates;
      if (value.get_array().get(candidates)) return false;
      for (auto candidate : candidates) {
        od::object object;
        if (auto error = candidate.get_object().get(object)) return !fatal(error);
        std::string reason;
        bool calls = false, broken = false;
        for (auto inner : object) {
          std::string_view inner_key;
          if (inner.unescaped_key().get(inner_key)) return false;
          if (inner_key == "finishReason") {
            reason = string_or_empty(inner.value(), broken);
          } else if (inner_key == "content") {
            od::object content;
            if (auto error = inner.value().get_object().get(content)) {
              if (fatal(error)) return false;
              continue;
            }
            od::array parts;
            if (auto error = content.find_field_unordered("parts").get_array().get(parts)) {
              if (fatal(error)) return false;
              continue;
            }
            for (auto part : parts) {
              od::object part_object;
              if (auto error = part.get_object().get(part_object)) {
                if (fatal(error)) return false;
                continue;
              }
              calls = calls || !part_object.find_field_unordered("functionCall").error();
            }
          }
          if (broken) return false;
        }
        if (!reason.empty()) scan.finish_reason = finish_reason_from_gemini(reason, calls);
        break;  // the first candidate decides
      }
    }
  }
  return true;
}

}  // namespace

std::string openai_finish_reason(std::string_view stop_reason) {
  if (stop_reason == "end_turn" || stop_reason == "stop_sequence" || stop_reason == "pause_turn") return "stop";
  if (stop_reason == "max_tokens") return "length";
  if (stop_reason == "tool_use") return "tool_calls";
  if (stop_reason == "refusal") return "content_filter";
  return std::string(stop_reason);
}

std::optional<AnswerScan> scan_answer(AnswerFormat format, std::string_view json) {
  thread_local od::parser parser;
  thread_local std::string buffer;
  ReleaseAfterHugeDocument release_parser(parser, json.size());
  ReleaseAfterHugeDocument release_buffer(buffer, json.size());
  buffer.assign(json);
  buffer.reserve(json.size() + simdjson::SIMDJSON_PADDING);
  od::document doc;
  if (parser.iterate(buffer.data(), buffer.size(), buffer.capacity()).get(doc)) return std::nullopt;
  od::object root;
  if (doc.get_object().get(root)) return std::nullopt;
  const bool anthropic = format == AnswerFormat::anthropic;
  AnswerScan scan;
  if (format == AnswerFormat::responses && !root.find_field("object").error()) {
    // A whole response object (a body) rather than an event: read as the response itself.
    root.reset();
    if (!scan_response(root, buffer, scan)) return std::nullopt;
    return scan;
  }
  root.reset();
  if (format == AnswerFormat::gemini) {
    if (!scan_gemini(root, scan)) return std::nullopt;
    return scan;
  }
  bool broken = false;  // a fatal error: the document cannot be read on
  for (auto field : root) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return std::nullopt;
    od::value value;
    if (field.value().get(value)) return std::nullopt;
    od::json_type type;
    if (value.type().get(type)) return std::nullopt;
    if (key == "id" || key == "usage") {
      if (!note_id_or_usage(key, value, type, format, buffer, scan)) return std::nullopt;
    } else if (format == AnswerFormat::responses && key == "response" && type == od::json_type::object) {
      od::object response;
      if (value.get_object().get(response) || !scan_response(response, buffer, scan)) return std::nullopt;
    } else if ((anthropic && key == "message") || (anthropic && key == "delta")) {
      od::object object;
      if (auto error = value.get_object().get(object)) {
        if (fatal(error)) return std::nullopt;
        continue;
      }
      {
        // Anthropic's message_start carries the message (with usage); message_delta a stop_reason.
        for (auto inner : object) {
          std::string_view inner_key;
          if (inner.unescaped_key().get(inner_key)) return std::nullopt;
          if (inner_key == "usage") {
            od::object inner_usage;
            if (auto error = inner.value().get_object().get(inner_usage)) {
              if (fatal(error)) return std::nullopt;
              continue;
            }
            scan.usage = read_usage(inner_usage, AnswerFormat::anthropic);
            if (!scan.usage) return std::nullopt;
          } else if (inner_key == "stop_reason") {
            scan.finish_reason = openai_finish_reason(string_or_empty(inner.value(), broken));
          }
          if (broken) return std::nullopt;
        }
      }
    } else if (anthropic && key == "stop_reason") {
      scan.finish_reason =
          openai_finish_reason(string_or_empty(simdjson::simdjson_result<od::value>(od::value(value)), broken));
    } else if (!anthropic && key == "choices") {
      od::array choices;
      if (auto error = value.get_array().get(choices)) {
        if (fatal(error)) return std::nullopt;
        continue;
      }
      for (auto choice : choices) {
        scan.has_choices = true;
        od::object object;
        if (auto error = choice.get_object().get(object)) {
          if (fatal(error)) return std::nullopt;
          break;
        }
        std::string reason = string_or_empty(object.find_field_unordered("finish_reason"), broken);
        if (!reason.empty()) scan.finish_reason = std::move(reason);
        break;  // the first choice decides
      }
    }
    if (broken) return std::nullopt;
  }
  return scan;
}

void fold_event(AnswerFormat format, const AnswerScan& scan, AnswerFacts& facts) {
  if (!scan.finish_reason.empty()) facts.finish_reason = scan.finish_reason;
  if (!scan.usage) return;
  if (format == AnswerFormat::anthropic && facts.usage && scan.usage->input == 0) {
    facts.usage->output = scan.usage->output;  // message_delta: the final output count only
    return;
  }
  facts.usage = scan.usage;
}

std::string stamp_answer(std::string_view json, const AnswerScan& scan, std::string_view id, std::optional<double> cost,
                         bool drop_usage) {
  struct Edit {
    std::size_t offset, remove;
    std::string insert;
  };
  boost::container::small_vector<Edit, 3> edits;
  if (scan.id_length && !id.empty()) {
    std::string quoted;  // by hand: Boost.JSON's serializer was half of this function's cost per chunk
    append_json_string(quoted, id);
    edits.push_back({scan.id_offset, scan.id_length, std::move(quoted)});
  }
  if (drop_usage && scan.usage_member_length) {
    edits.push_back({scan.usage_member_offset, scan.usage_member_length, {}});
  } else if (scan.usage_length) {
    bool empty = json.substr(scan.usage_offset + 1, scan.usage_length - 2).find_first_not_of(" \t\r\n") ==
                 std::string_view::npos;
    std::string value = cost ? fmt::format("{}", *cost) : "null";
    edits.push_back(
        {scan.usage_offset + scan.usage_length - 1, 0, fmt::format("{}\"cost\":{}", empty ? "" : ",", value)});
  }
  std::sort(edits.begin(), edits.end(), [](const Edit& a, const Edit& b) { return a.offset < b.offset; });
  std::string out;
  out.reserve(json.size() + 64);
  std::size_t at = 0;
  for (const auto& edit : edits) {
    out.append(json.substr(at, edit.offset - at));
    out += edit.insert;
    at = edit.offset + edit.remove;
  }
  out.append(json.substr(at));
  return out;
}

}  // namespace switchyard
