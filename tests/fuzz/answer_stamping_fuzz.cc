// libFuzzer: arbitrary bytes as an answer body, and as a stream's events, read for accounting and
// stamped with the generation id and the cost (or with usage dropped) in every client format. Never
// a crash; a JSON object stays JSON, and a dropped usage member is gone.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "translate/answer_facts.h"
#include "translate/json_parse.h"
#include "translate/sse_events.h"

using namespace switchyard;

namespace {

constexpr std::array<std::optional<double>, 4> kCosts{std::nullopt, 0.0, 0.0000123, 123456789.25};
constexpr std::array<std::string_view, 2> kIds{"gen_01KAV3C8Y2Q6X4M9TNZ0R5B7C0", ""};

// One document (a body or an event's data) scanned, folded and stamped every way.
void stamp_all(AnswerFormat format, std::string_view json, AnswerFacts& facts) {
  std::optional<AnswerScan> scan = scan_answer(format, json);
  if (!scan) return;
  fold_event(format, *scan, facts);
  FUZZ_CHECK(scan->id_offset + scan->id_length <= json.size());
  FUZZ_CHECK(scan->usage_offset + scan->usage_length <= json.size());
  FUZZ_CHECK(scan->usage_member_offset + scan->usage_member_length <= json.size());

  boost::system::error_code ec;
  boost::json::value input = parse_json(json, ec);
  const bool object = !ec && input.is_object();
  // A top-level usage member of the kinds stamp_answer drops (an object or null).
  const boost::json::value* usage = object ? input.get_object().if_contains("usage") : nullptr;
  // Only with one "usage" key: of a key given twice (a malformed answer) just one is dropped.
  auto first_usage = json.find("\"usage\"");
  const bool once =
      first_usage != std::string_view::npos && json.find("\"usage\"", first_usage + 1) == std::string_view::npos;
  const bool droppable = once && usage && (usage->is_object() || usage->is_null());

  for (bool drop_usage : {false, true})
    for (std::size_t i = 0; i < kCosts.size(); ++i) {
      std::string out = stamp_answer(json, *scan, kIds[i % kIds.size()], kCosts[i], drop_usage);
      if (!object) continue;
      boost::json::value stamped = parse_json(out, ec);
      FUZZ_CHECK(!ec && stamped.is_object());
      if (drop_usage && droppable) FUZZ_CHECK(!stamped.get_object().contains("usage"));
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  for (AnswerFormat format : {AnswerFormat::openai, AnswerFormat::anthropic, AnswerFormat::responses}) {
    AnswerFacts body_facts;
    stamp_all(format, input, body_facts);  // a whole answer body
    AnswerFacts stream_facts;
    for (const auto& event : parse_sse_events(input)) stamp_all(format, event.data, stream_facts);  // a stream
  }
  return 0;
}
