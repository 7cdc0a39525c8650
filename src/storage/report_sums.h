#pragma once
// A report (/v1/report) summed record by record, for a store that keeps records in blocks and so
// cannot group them in SQL: the same keys and sums as record_columns::report_sql.
#include <map>
#include <string>
#include <vector>

#include "storage/record_store.h"

namespace switchyard {

class ReportSums {
 public:
  // Throws StoreError for a group_by other than day, model, provider, user, tag, team.
  explicit ReportSums(const std::string& group_by);
  void add(const UsageRecord& record);
  // Ordered by key.
  std::vector<ReportRow> rows() const;

 private:
  void add_to(const std::string& key, const UsageRecord& record);

  enum class Key { day, model, provider, user, tag, team } key_;
  std::map<std::string, ReportRow> rows_;
};

}  // namespace switchyard
