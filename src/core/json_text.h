#pragma once
// Appending JSON text by hand where it runs per request or per record: building a boost::json
// value and serialising it cost ~7% of pass-through throughput (routing metadata, bench/run) and
// 12% of storing a record (record_store_bench).
#include <cstdint>
#include <string>
#include <string_view>

namespace switchyard {

// Appends `text` as a JSON string, quotes included.
void append_json_string(std::string& out, std::string_view text);

// Appends `number` in decimal (std::to_chars: a fraction of fmt's cost where it runs per request).
void append_json_integer(std::string& out, int64_t number);

// Appends `number` as JSON: the shortest text that reads back as the same double, in plain
// decimal where that is short ("0", "0.25", "61.116839889999845", "1.95e-05"), never Boost.JSON's
// "0E0" or "6.1116839889999845E1"; a non-finite number (no JSON for it) as null.
void append_json_number(std::string& out, double number);

}  // namespace switchyard
