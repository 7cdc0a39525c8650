#pragma once
// The record the storage benchmarks write: a rescued request (two attempts) with tags, priced.
#include <cstdint>

#include "core/request_id.h"
#include "storage/usage_record.h"

namespace switchyard {

inline UsageRecord typical_record(int64_t created_ms) {
  UsageRecord r;
  r.id = "gen_" + format_ulid(static_cast<uint64_t>(created_ms), 0x1234, 0x9abcdef012345678);
  r.created_ms = created_ms;
  r.team = "acme";
  r.key_id = "0a1b2c3d";
  r.endpoint = "/v1/chat/completions";
  r.tags = {"checkout", "beta"};
  r.model_requested = r.model = "r/chat";
  r.provider = "anthropic";
  r.upstream_model = "claude-sonnet-4-5";
  r.finish_reason = "stop";
  r.input_tokens = 1200;
  r.output_tokens = 350;
  r.cost = 0.00885;
  r.ttft_ms = 420;
  r.latency_ms = 2100;
  r.status = 200;
  r.attempts = {{"openai", "gpt-4o", "r/chat", false, 503, "overloaded", created_ms, created_ms + 40},
                {"anthropic", "claude-sonnet-4-5", "r/chat", true, 200, "", created_ms + 41, created_ms + 2100}};
  return r;
}

}  // namespace switchyard
