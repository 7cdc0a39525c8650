#include "storage/record_codec.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "storage/record_store.h"

namespace switchyard {

class BlockReader {
 public:
  explicit BlockReader(std::string_view in) : in_(in) {}
  bool done() const { return in_.empty(); }
  void start_record() { texts_ = 0; }
  void number(uint64_t& v) {
    v = 0;
    for (int shift = 0;; shift += 7) {
      if (in_.empty() || shift > 63) throw StoreError("a record block is cut short or damaged");
      auto byte = static_cast<uint8_t>(in_.front());
      in_.remove_prefix(1);
      v |= uint64_t{byte & 0x7fu} << shift;
      if (byte < 0x80) return;
    }
  }
  void integer(int64_t& v) {
    uint64_t z;
    number(z);
    v = static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1);
  }
  void integer(int& v) {
    int64_t wide;
    integer(wide);
    v = static_cast<int>(wide);
  }
  void flag(bool& v) { v = take(1)[0] != 0; }
  // The writer's difference, added back with wrapping (unsigned) arithmetic as it was taken: any
  // two times round-trip, and damaged bytes cannot overflow.
  void integer_from(int64_t& v, int64_t base) {
    integer(v);
    v = static_cast<int64_t>(static_cast<uint64_t>(v) + static_cast<uint64_t>(base));
  }
  template <class Text>  // std::string (a copy) or std::string_view (into the block)
  void text(Text& v) {
    std::string_view* last = texts_ < EncodedRecords::kTextSlots ? &last_texts_[texts_] : nullptr;
    ++texts_;
    uint64_t size;
    number(size);
    if (size == 0) {
      if (!last || !last->data()) throw StoreError("a record block is cut short or damaged");
      v = *last;
      return;
    }
    std::string_view bytes = take(size - 1);
    if (last) *last = bytes;
    v = bytes;
  }
  void optional(std::optional<double>& v) {
    bool present;
    flag(present);
    if (!present) return v.reset();
    double d;
    std::memcpy(&d, take(sizeof d).data(), sizeof d);
    v = d;
  }
  void optional(std::optional<int64_t>& v) {
    bool present;
    flag(present);
    if (!present) return v.reset();
    v.emplace();
    integer(*v);
  }
  template <class T, class Each>
  void list(std::vector<T>& items, Each&& each) {
    uint64_t size;
    number(size);
    if (size > in_.size()) throw StoreError("a record block is cut short or damaged");
    items.resize(size);
    for (auto& item : items) each(*this, item);
  }

 private:
  std::string_view take(uint64_t size) {
    if (size > in_.size()) throw StoreError("a record block is cut short or damaged");
    auto bytes = in_.substr(0, size);
    in_.remove_prefix(size);
    return bytes;
  }
  std::string_view in_;
  std::array<std::string_view, EncodedRecords::kTextSlots> last_texts_{};
  std::size_t texts_ = 0;
};

namespace {

// A bound on a record's size, so the writer can write through a pointer.
class Sizer {
 public:
  std::size_t size = 0;
  void number(uint64_t) { size += 10; }
  void integer(int64_t) { size += 10; }
  void integer(int) { size += 10; }
  void flag(bool) { size += 1; }
  void integer_from(int64_t, int64_t) { size += 10; }
  void text(std::string_view v) { size += 10 + v.size(); }
  void optional(const std::optional<double>&) { size += 1 + sizeof(double); }
  void optional(const std::optional<int64_t>&) { size += 11; }
  template <class T, class Each>
  void list(const std::vector<T>& items, Each&& each) {
    size += 10;
    for (const auto& item : items) each(*this, item);
  }
};

// Texts: a varint of size + 1 then the bytes, or a 0 byte for "the same as the last text in this
// place" (EncodedRecords::last_texts).
class Writer {
 public:
  Writer(EncodedRecords& records, std::size_t at) : records_(records), base_(records.bytes.data()), p_(base_ + at) {}
  std::size_t end() const { return static_cast<std::size_t>(p_ - base_); }
  void number(uint64_t v) {
    while (v >= 0x80) {
      *p_++ = static_cast<char>(v | 0x80);
      v >>= 7;
    }
    *p_++ = static_cast<char>(v);
  }
  void integer(int64_t v) { number((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63)); }  // zigzag
  void integer(int v) { integer(int64_t{v}); }
  void flag(bool v) { *p_++ = v ? '\1' : '\0'; }
  // A small number (a byte or two) for nearby times; wrapping arithmetic, so no time overflows.
  void integer_from(int64_t v, int64_t base) {
    integer(static_cast<int64_t>(static_cast<uint64_t>(v) - static_cast<uint64_t>(base)));
  }
  void text(std::string_view v) {
    EncodedRecords::Slot* slot = texts_ < EncodedRecords::kTextSlots ? &records_.last_texts[texts_] : nullptr;
    ++texts_;
    if (slot && slot->at && std::string_view(base_ + slot->at, slot->size) == v) {
      *p_++ = '\0';
      return;
    }
    number(v.size() + 1);
    if (slot) *slot = {static_cast<uint32_t>(p_ - base_), static_cast<uint32_t>(v.size())};
    p_ = std::copy(v.begin(), v.end(), p_);  // an empty view may have no data at all
  }
  void optional(const std::optional<double>& v) {
    flag(v.has_value());
    if (!v) return;
    std::memcpy(p_, &*v, sizeof(double));
    p_ += sizeof(double);
  }
  void optional(const std::optional<int64_t>& v) {
    flag(v.has_value());
    if (v) integer(*v);
  }
  template <class T, class Each>
  void list(const std::vector<T>& items, Each&& each) {
    number(items.size());
    for (const auto& item : items) each(*this, item);
  }

 private:
  EncodedRecords& records_;
  char* base_;
  char* p_;
  std::size_t texts_ = 0;  // texts of this record so far
};

// The one field order: `Record` is const for writing, mutable for reading. A new field goes at
// the end (of the record, or of an attempt), in a new EncodedRecords::kFormat, so that blocks
// already stored stay readable: `Format` is the block's, and a field it lacks reads as its
// default. Writers always write the newest format.
template <char Format, class Io, class Record>
void fields(Io& io, Record& r) {
  io.text(r.id);
  io.integer(r.created_ms);
  io.text(r.team);
  io.text(r.key_id);
  io.text(r.user);
  io.text(r.use_case);
  io.text(r.endpoint);
  io.list(r.tags, [](Io& io, auto& tag) { io.text(tag); });
  io.text(r.model_requested);
  io.text(r.model);
  io.text(r.provider);
  io.text(r.upstream_model);
  io.flag(r.streamed);
  io.text(r.finish_reason);
  io.integer(r.input_tokens);
  io.integer(r.output_tokens);
  io.integer(r.cache_read_tokens);
  io.integer(r.cache_write_tokens);
  io.integer(r.reasoning_tokens);
  io.optional(r.cost);
  io.flag(r.byok);
  io.optional(r.ttft_ms);
  io.integer(r.latency_ms);
  io.integer(r.status);
  io.text(r.error);
  io.list(r.attempts, [&r](Io& io, auto& a) {
    io.text(a.provider);
    io.text(a.model);
    io.text(a.model_id);
    io.flag(a.success);
    io.integer(a.status);
    io.text(a.error);
    io.integer_from(a.start_ms, r.created_ms);
    io.integer_from(a.end_ms, r.created_ms);
    if constexpr (Format >= 2)
      io.optional(a.continued_at);
    else  // read only; an attempt reused from an earlier block keeps nothing of it
      a.continued_at.reset();
  });
  if constexpr (Format >= 2) {
    io.flag(r.cache_hit);
    io.optional(r.saved_cost);
  } else {  // read only, as above
    r.cache_hit = false;
    r.saved_cost.reset();
  }
}

}  // namespace

void EncodedRecords::widen(int64_t first, int64_t last, std::size_t records) {
  first_ms = count ? std::min(first_ms, first) : first;
  last_ms = count ? std::max(last_ms, last) : last;
  count += records;
}

template <class Record>
void EncodedRecords::add_record(const Record& record) {
  widen(record.created_ms, record.created_ms, 1);
  Sizer sizer;
  fields<kFormat>(sizer, record);
  std::size_t at = bytes.size();
  bytes.resize(at + sizer.size);
  Writer writer(*this, at);
  fields<kFormat>(writer, record);
  bytes.resize(writer.end());
}

void EncodedRecords::add(const UsageRecord& record) { add_record(record); }
void EncodedRecords::add(const RecordView& record) { add_record(record); }

void EncodedRecords::add(const EncodedRecords& other) {
  if (other.count == 0) return;
  widen(other.first_ms, other.last_ms, other.count);
  bytes.append(other.bytes, 1);  // without its format byte
  // other's texts refer to its own earlier ones, which the reader has just read; the next record
  // added here starts afresh.
  last_texts.fill({});
}

void EncodedRecords::clear() {
  bytes.resize(1);
  count = 0;
  first_ms = last_ms = 0;
  last_texts.fill({});
}

RecordDecoder::RecordDecoder(std::string_view block) {
  if (block.empty() || block.front() < 1 || block.front() > EncodedRecords::kFormat)
    throw StoreError("a record block of an unknown format (written by a newer switchyard?)");
  format_ = block.front();
  reader_ = std::make_unique<BlockReader>(block.substr(1));
}

RecordDecoder::~RecordDecoder() = default;

template <class Record>
std::size_t RecordDecoder::next(std::vector<Record>& into, std::size_t most) {
  std::size_t n = 0;
  for (; n < most && !reader_->done(); ++n) {
    reader_->start_record();
    if (n == into.size()) into.emplace_back();
    if (format_ == 1)
      fields<1>(*reader_, into[n]);
    else
      fields<EncodedRecords::kFormat>(*reader_, into[n]);
  }
  return n;
}

template std::size_t RecordDecoder::next(std::vector<UsageRecord>&, std::size_t);
template std::size_t RecordDecoder::next(std::vector<RecordView>&, std::size_t);

void decode_records(std::string_view block, std::vector<UsageRecord>& into) {
  into.resize(RecordDecoder(block).next(into, std::numeric_limits<std::size_t>::max()));
}

}  // namespace switchyard
