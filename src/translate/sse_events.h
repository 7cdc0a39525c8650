#pragma once
// Reads complete Server-Sent Events (as SseSplitter hands them out) into name and data.
#include <string>
#include <string_view>
#include <vector>

namespace switchyard {

struct SseEvent {
  std::string name;  // the `event:` field; empty when absent
  std::string data;  // the `data:` lines, joined with '\n'
};

// Every event in `block`, which holds whole events only. Comments and unknown fields are skipped.
std::vector<SseEvent> parse_sse_events(std::string_view block);

// Appends one event: its `event:` line when it has a name, and `data` as one `data:` line per
// line of it, so that it reads back whole.
void append_sse_event(std::string& out, std::string_view name, std::string_view data);

}  // namespace switchyard
