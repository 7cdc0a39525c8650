#pragma once
#include <memory>
#include <string>

#include "storage/record_store.h"

namespace switchyard {
std::unique_ptr<RecordStore> open_sqlite_store(const std::string& path);
}  // namespace switchyard
