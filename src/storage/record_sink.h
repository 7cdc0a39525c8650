#pragma once
// What else the recorder's writer hands every record to, besides the store (the insights rollup,
// later an OTLP exporter): storage publishes, it does not know who reads.
#include <span>

#include "storage/usage_record.h"

namespace switchyard {

class RecordSink {
 public:
  virtual ~RecordSink() = default;
  // Called on the writer thread with records as they are taken, a few at a time; the views are
  // valid for the call only.
  virtual void add(std::span<const RecordView> records) = 0;
};

}  // namespace switchyard
