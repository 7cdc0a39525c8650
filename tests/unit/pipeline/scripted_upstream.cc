#include "pipeline/scripted_upstream.h"

namespace switchyard::testing {
namespace {

class ScriptedExchange final : public UpstreamExchange {
 public:
  ScriptedExchange(Executor executor, ScriptedAnswer answer, std::shared_ptr<ScriptedExchangeLog> log)
      : answer_(std::move(answer)), log_(std::move(log)), hang_(executor) {
    header_.result(static_cast<unsigned>(answer_.status));
    for (const auto& [name, value] : answer_.headers) header_.set(name, value);
  }

  Task<std::optional<Error>> send(const UpstreamRequest& request) override {
    log_->request = request;
    if (answer_.send_error) co_return answer_.send_error;
    header_read_ = true;
    co_return std::nullopt;
  }
  int status() const override { return answer_.status; }
  int status_if_any() const override { return header_read_ ? answer_.status : 0; }
  const http::response_header<>& header() const override { return header_; }

  Task<std::pair<std::optional<Error>, std::string_view>> read_some() override {
    if (next_ < answer_.pieces.size())
      co_return std::pair{std::optional<Error>{}, std::string_view(answer_.pieces[next_++])};
    if (answer_.hang_after_pieces && !log_->aborted) {
      hang_.expires_at(Timer::time_point::max());
      co_await hang_.async_wait(use_tuple);
    }
    if (log_->aborted)
      co_return std::pair{std::optional<Error>(make_error(ErrorKind::upstream_unreachable, "aborted")),
                          std::string_view()};
    co_return std::pair{answer_.error_after_pieces, std::string_view()};
  }
  void abort() override {
    log_->aborted = true;
    hang_.cancel();
  }

 private:
  ScriptedAnswer answer_;
  std::shared_ptr<ScriptedExchangeLog> log_;
  http::response_header<> header_;
  Timer hang_;
  std::size_t next_ = 0;
  bool header_read_ = false;
};

}  // namespace

std::unique_ptr<UpstreamExchange> ScriptedTransport::open(Executor executor, const UpstreamEndpoint& endpoint,
                                                          const Timeouts&) {
  auto log = std::make_shared<ScriptedExchangeLog>();
  log->host = endpoint.host;
  log_.push_back(log);
  ScriptedAnswer answer;
  if (answers_.empty()) {
    answer.send_error = make_error(ErrorKind::internal, "the test scripted no more answers");
  } else {
    answer = std::move(answers_.front());
    answers_.pop_front();
  }
  return std::make_unique<ScriptedExchange>(std::move(executor), std::move(answer), std::move(log));
}

ScriptedAnswer json_answer(int status, std::string body) {
  ScriptedAnswer answer;
  answer.status = status;
  answer.pieces.push_back(std::move(body));
  return answer;
}

ScriptedAnswer sse_answer(const std::vector<std::string>& data) {
  ScriptedAnswer answer;
  answer.headers = {{"content-type", "text/event-stream"}};
  for (const auto& event : data) answer.pieces.push_back("data: " + event + "\n\n");
  return answer;
}

}  // namespace switchyard::testing
