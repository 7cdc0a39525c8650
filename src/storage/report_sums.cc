#include "storage/report_sums.h"

#include "core/calendar.h"

namespace switchyard {

ReportSums::ReportSums(const std::string& group_by) {
  if (group_by == "day")
    key_ = Key::day;
  else if (group_by == "model")
    key_ = Key::model;
  else if (group_by == "provider")
    key_ = Key::provider;
  else if (group_by == "user")
    key_ = Key::user;
  else if (group_by == "tag")
    key_ = Key::tag;
  else if (group_by == "team")
    key_ = Key::team;
  else
    throw StoreError("group_by must be one of day, model, provider, user, tag, team");
}

void ReportSums::add(const UsageRecord& r) {
  switch (key_) {
    case Key::day: {
      int64_t day = r.created_ms >= 0 ? r.created_ms / kDayMs : (r.created_ms - kDayMs + 1) / kDayMs;
      return add_to(day_text(day), r);
    }
    // A request that reached no model (refused, or no route) counts under the model it asked for.
    case Key::model: return add_to(r.model.empty() ? r.model_requested : r.model, r);
    case Key::provider: return add_to(r.provider, r);
    case Key::user: return add_to(r.user, r);
    case Key::team: return add_to(r.team, r);
    case Key::tag:  // a record counts once under each of its tags, none when it has none
      for (const auto& tag : r.tags) add_to(tag, r);
      return;
  }
}

void ReportSums::add_to(const std::string& key, const UsageRecord& r) {
  ReportRow& row = rows_[key];
  row.total_cost += r.cost.value_or(0);
  row.input_tokens += r.input_tokens;
  row.output_tokens += r.output_tokens;
  row.cached_input_tokens += r.cache_read_tokens;
  row.cache_creation_input_tokens += r.cache_write_tokens;
  row.reasoning_tokens += r.reasoning_tokens;
  row.request_count += 1;
}

std::vector<ReportRow> ReportSums::rows() const {
  std::vector<ReportRow> out;
  out.reserve(rows_.size());
  for (const auto& [key, row] : rows_) {
    out.push_back(row);
    out.back().key = key;
  }
  return out;
}

}  // namespace switchyard
