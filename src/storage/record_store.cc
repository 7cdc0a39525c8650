#include "storage/record_store.h"

#include "storage/postgres_store.h"
#include "storage/sqlite_store.h"

namespace switchyard {

std::unique_ptr<RecordStore> open_store(const std::string& url) {
  if (url.starts_with("sqlite:")) return open_sqlite_store(url.substr(7));
  if (url.starts_with("postgres://") || url.starts_with("postgresql://")) return open_postgres_store(url);
  throw StoreError("storage must be sqlite:PATH or postgres://... (got '" + url + "')");
}

}  // namespace switchyard
