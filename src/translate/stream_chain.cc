#include "translate/stream_chain.h"

namespace switchyard {
namespace {

class Chain final : public StreamTranslator {
 public:
  Chain(std::unique_ptr<StreamTranslator> first, std::unique_ptr<StreamTranslator> second)
      : first_(std::move(first)), second_(std::move(second)) {}

  std::optional<Error> on_event(const SseEvent& event, std::string& out) override {
    middle_.clear();
    auto error = first_->on_event(event, middle_);
    if (auto passed = pass(out); passed && !error) return passed;
    return error;
  }

  std::optional<Error> on_end(std::string& out) override {
    middle_.clear();
    auto error = first_->on_end(middle_);
    if (auto passed = pass(out)) return passed;
    if (error) return error;
    return second_->on_end(out);
  }

  bool write_error(const Error& error, std::string& out) override { return second_->write_error(error, out); }

 private:
  std::optional<Error> pass(std::string& out) {
    for (const auto& event : parse_sse_events(middle_))
      if (auto error = second_->on_event(event, out)) return error;
    return std::nullopt;
  }

  std::unique_ptr<StreamTranslator> first_, second_;
  std::string middle_;
};

}  // namespace

std::unique_ptr<StreamTranslator> chain(std::unique_ptr<StreamTranslator> first,
                                        std::unique_ptr<StreamTranslator> second) {
  if (!first) return second;
  if (!second) return first;
  return std::make_unique<Chain>(std::move(first), std::move(second));
}

}  // namespace switchyard
