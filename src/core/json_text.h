#pragma once
// Appending JSON text by hand where it runs per request or per record: building a boost::json
// value and serialising it cost ~7% of pass-through throughput (routing metadata, bench/run) and
// 12% of storing a record (record_store_bench).
#include <string>
#include <string_view>

namespace switchyard {

// Appends `text` as a JSON string, quotes included.
void append_json_string(std::string& out, std::string_view text);

}  // namespace switchyard
