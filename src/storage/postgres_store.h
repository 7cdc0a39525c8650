#pragma once
#include <memory>
#include <string>

#include "storage/record_store.h"

namespace switchyard {
// Connects lazily: a server that is down at start is not an error (records wait in the journal).
std::unique_ptr<RecordStore> open_postgres_store(const std::string& url);
}  // namespace switchyard
