#pragma once
// Records as compact bytes: varint numbers and length-prefixed text, in one field order that both
// directions share (record_codec.cc). The recorder encodes each record on the request's thread
// (no allocation per record, nothing handed across threads but whole batches), and the SQLite
// store keeps the bytes as they are, a block per row.
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "storage/usage_record.h"

namespace switchyard {

// Records encoded back to back after a format byte, with the range of their times, so that a
// store can place them without decoding. Their times stay within kMaxSpanMs of each other:
// a store finds the records of a window among the batches that start within kMaxSpanMs of it.
struct EncodedRecords {
  // The format byte of blocks written now. 1: before the response cache and stream continuation
  // (no cache_hit, saved_cost or attempt continued_at), still read, its records without them.
  static constexpr char kFormat = 2;
  static constexpr int64_t kMaxSpanMs = int64_t{10} * 60 * 1000;

  std::string bytes{kFormat};
  std::size_t count = 0;
  int64_t first_ms = 0, last_ms = 0;  // the range of their created_ms

  // Whether records created from `first` to `last` can join without the range growing too wide.
  bool fits(int64_t first, int64_t last) const {
    return count == 0 || std::max(last_ms, last) - std::min(first_ms, first) <= kMaxSpanMs;
  }
  bool fits(const EncodedRecords& other) const { return fits(other.first_ms, other.last_ms); }
  void add(const UsageRecord& record);  // encodes it after the others
  void add(const RecordView& record);
  void add(const EncodedRecords& other);  // other's records after these
  void clear();                           // keeps the capacity

  // A text the same as the last one in its place (the n-th text of a record) is written as one
  // byte: the model, provider, endpoint, team and attempts of a thread's consecutive records
  // mostly are, and bytes are the store's cost (its writes, checksums and copies).
  static constexpr std::size_t kTextSlots = 24;
  struct Slot {
    uint32_t at = 0, size = 0;  // where in `bytes` the last such text is; at 0: none yet
  };
  std::array<Slot, kTextSlots> last_texts{};

 private:
  template <class Record>
  void add_record(const Record& record);
  void widen(int64_t first, int64_t last, std::size_t records);  // the range and count, with more
};

class BlockReader;

// Reads the records of a block (EncodedRecords::bytes, of any format up to kFormat) a few at a
// time, into a vector kept from one call to the next (its strings are reused). Throws StoreError
// on bytes cut short or of an unknown format.
class RecordDecoder {
 public:
  explicit RecordDecoder(std::string_view block);
  ~RecordDecoder();
  // Decodes up to `most` more records into the first slots of `into` and returns how many (0 at
  // the end). `into` grows when it must and never shrinks, so the records past those stay and
  // their strings and vectors are reused by the next call. Views (RecordView) point into the
  // block, which must outlive them.
  template <class Record>  // UsageRecord or RecordView
  std::size_t next(std::vector<Record>& into, std::size_t most);

 private:
  std::unique_ptr<BlockReader> reader_;
  char format_ = EncodedRecords::kFormat;  // the block's
};

// All the records of a block, into `into`.
void decode_records(std::string_view block, std::vector<UsageRecord>& into);

}  // namespace switchyard
