#pragma once
// The one way a store makes a page of the request log (RecordStore::recent): the store reads
// records in whatever order its storage gives them, hands each to a LogPageBuilder and says, as
// it goes, how far its reading has come; the builder keeps the matching records, puts them in
// order, counts the scan budget and says where the next page starts. So the cursor and budget
// rules below hold for every store alike.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/record_store.h"

namespace switchyard {

// A place in the request log's order: (created_ms, id), newest first. A record is older than a
// position when its (created_ms, id) sorts before it (ids compare as bytes). The empty id sorts
// before every other, so (ms, "") is older than every record of millisecond ms, and newer than
// every record of ms - 1.
using LogPosition = std::pair<int64_t, std::string>;

// Builds one page for a LogQuery. A store calls, any number of times and in this order each time:
// count() for records it has read, offer() for each of them (or offer_block() for a block of
// encoded records, which does both), then settle() with a bound that every record it has not read
// yet is older than. When it has read everything the query can select, it calls settle_all().
// It stops reading when wants_more() is false, and returns finish().
//
// Cursor: `next` is set after a full page (the last record's position) and after a page the
// budget ended early (the last bound settled: every record newer than it has been read, so the
// next page neither skips nor repeats one). It is empty when nothing more matches.
// Budget: records count when read, in whole batches (a block); the reading stops for the budget
// only once a bound below the page's start has been settled, so a page always moves on, even
// when the budget is smaller than the blocks it has to read.
class LogPageBuilder {
 public:
  explicit LogPageBuilder(const LogQuery& query);

  // Every record of the page is older than this: the query's cursor or, without one, (end_ms, "").
  const LogPosition& upper() const { return upper_; }
  // The newest millisecond a record of the page may have (upper() as a time, inclusive).
  int64_t newest_ms() const {
    return upper_.second.empty() ? std::max(upper_.first, std::numeric_limits<int64_t>::min() + 1) - 1 : upper_.first;
  }
  // How many more records the budget allows (at least 1, so that a page reads something).
  std::size_t budget_left() const { return read_ < query_.scan_budget ? query_.scan_budget - read_ : 1; }
  // Whether the store should read on: the page is not full, and the budget not spent (or spent
  // before the reading moved below the start: see the budget rule above).
  bool wants_more() const;

  void count(std::size_t records) { read_ += records; }
  // Keeps `r` if the query selects it: the window, the cursor, the team, every filter.
  void offer(UsageRecord&& r);
  // Counts and offers the `count` records of a block (EncodedRecords::bytes), decoding only what
  // can match: a block that lacks a text a filter asks for is not decoded at all.
  void offer_block(std::string_view block, std::size_t count);
  // Every record not read yet is older than `bound`: the records kept that are not older than it
  // are final and go to the page, newest first.
  void settle(const LogPosition& bound);
  // Nothing is left to read: every record kept is final.
  void settle_all();

  LogPage finish();

 private:
  template <class Record>
  bool selects(const Record& r) const;
  void keep(UsageRecord&& r);  // one selected
  // Whether a block may hold a record the query selects: each text a filter asks for is in it.
  bool may_hold(std::string_view block) const;

  const LogQuery& query_;
  LogPosition upper_;
  LogPosition bound_;  // every record not read yet is older than this (at most upper_)
  bool all_read_ = false;
  std::size_t read_ = 0;
  std::vector<UsageRecord> kept_;  // selected, not yet final: at most a few pages' room
  LogPage page_;
  std::vector<RecordView> views_;  // offer_block's, reused from block to block
  std::vector<UsageRecord> decoded_;
  std::vector<std::size_t> selected_;
};

}  // namespace switchyard
