#pragma once
// One durable record per request: who asked for what, what served it, every attempt, the tokens
// and the list-price cost. Written by the recorder off the request path.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

namespace switchyard {

// `Text` is std::string for a record that owns its texts, std::string_view for a view of texts
// kept elsewhere (a record decoded in place from its stored bytes, or one made from a request's
// context): both have the same fields, so the code that reads records takes either.
template <class Text>
struct BasicAttempt {
  Text provider;
  Text model;     // the upstream's model name
  Text model_id;  // the configured model id it served
  bool success = false;
  int status = 0;  // upstream HTTP status, 0 when none came
  Text error;
  int64_t start_ms = 0, end_ms = 0;  // Unix ms
  // A stream this attempt continued after the one before it was cut: how many bytes of the
  // answer's text (UTF-8, content only) the client had already been sent; nullopt otherwise.
  std::optional<int64_t> continued_at;
};

template <class Text>
struct BasicRecord {
  Text id;  // gen_<ULID>
  int64_t created_ms = 0;
  Text team, key_id, user, use_case, endpoint;
  std::vector<Text> tags;
  Text model_requested, model, provider, upstream_model;  // model: the id that served
  bool streamed = false;
  Text finish_reason;
  int64_t input_tokens = 0, output_tokens = 0, cache_read_tokens = 0, cache_write_tokens = 0, reasoning_tokens = 0;
  std::optional<double> cost;  // null: unpriced, never 0
  bool byok = false;
  std::optional<int64_t> ttft_ms;
  int64_t latency_ms = 0;
  int status = 0;  // the status the client got
  Text error;
  std::vector<BasicAttempt<Text>> attempts;
  // Served from the response cache: no attempt, cost 0, and what the kept answer cost when it was
  // made (nullopt: unpriced) as the cost the hit saved.
  bool cache_hit = false;
  std::optional<double> saved_cost;
};

using AttemptRecord = BasicAttempt<std::string>;
using UsageRecord = BasicRecord<std::string>;
using AttemptView = BasicAttempt<std::string_view>;
using RecordView = BasicRecord<std::string_view>;

boost::json::value to_json(const UsageRecord& record);
// One record as one line of JSON, newline included: the journal's and `switchyard export`'s format.
std::string record_json_line(const UsageRecord& record);
// Reads such a line back; throws std::runtime_error saying what is wrong with it.
UsageRecord record_from_json_line(std::string_view line);
// The attempts as JSON text, written by hand (it runs per record stored); the one writer of them.
// Each is {provider, model, model_id, success, status, error, start_time, end_time}, with
// continued_at only on an attempt that continued a cut stream.
std::string attempts_json(const std::vector<AttemptRecord>& attempts);
// The same as a JSON value (the journal, the generation API).
boost::json::value attempts_to_json(const std::vector<AttemptRecord>& attempts);
std::vector<AttemptRecord> attempts_from_json(const boost::json::value& json);

}  // namespace switchyard
