#pragma once
// A block of records as switchyard wrote it before the response cache (record format 1: no
// cache_hit, saved_cost or attempt continued_at), to show that stores keep reading such blocks.
// The bytes were written by that encoder for the records format1_records() makes.
#include <string>
#include <vector>

#include "storage/usage_record.h"

namespace switchyard::testing {

inline std::string format1_block() {
  static const char kHex[] =
      "011f67656e5f30314d38363237475230513658344d39544e5a30523542374330808c9ec2c1680561636d65036b310101152f76312f6368"
      "61742f636f6d706c6574696f6e7301056265746107722f6368617407722f636861740a616e7468726f70696312636c617564652d736f6e"
      "6e65742d342d35010573746f70e012bc05000000019a9999999999893f0001c806e82090030102076f70656e6169076770742d346f0772"
      "2f6368617400ee070b6f7665726c6f6164656400500a616e7468726f70696312636c617564652d736f6e6e65742d342d3507722f636861"
      "740190030152e8201f67656e5f30314d38363237475231513658344d39544e5a30523542374331828c9ec2c16800000000000100000000"
      "000100e012bc05000000019a9999999999893f0001c806e8209003000200000000ee070000500000000190030052e820";
  std::string bytes;
  for (std::size_t i = 0; kHex[i] && kHex[i + 1]; i += 2)
    bytes += static_cast<char>(std::stoi(std::string(kHex + i, 2), nullptr, 16));
  return bytes;
}

// The records of format1_block(), as they read now: not cache hits, no attempt continued.
inline std::vector<UsageRecord> format1_records() {
  std::vector<UsageRecord> records;
  for (int n = 0; n < 2; ++n) {
    UsageRecord r;
    r.id = "gen_01M8627GR" + std::to_string(n) + "Q6X4M9TNZ0R5B7C" + std::to_string(n);  // ULIDs of their times
    r.created_ms = 1795500000000 + n;
    r.team = "acme";
    r.key_id = "k1";
    r.endpoint = "/v1/chat/completions";
    r.tags = {"beta"};
    r.model_requested = r.model = "r/chat";
    r.provider = "anthropic";
    r.upstream_model = "claude-sonnet-4-5";
    r.streamed = true;
    r.finish_reason = "stop";
    r.input_tokens = 1200;
    r.output_tokens = 350;
    r.cost = 0.0125;
    r.ttft_ms = 420;
    r.latency_ms = 2100;
    r.status = 200;
    r.attempts = {{"openai", "gpt-4o", "r/chat", false, 503, "overloaded", r.created_ms, r.created_ms + 40},
                  {"anthropic", "claude-sonnet-4-5", "r/chat", true, 200, "", r.created_ms + 41, r.created_ms + 2100}};
    records.push_back(std::move(r));
  }
  return records;
}

}  // namespace switchyard::testing
