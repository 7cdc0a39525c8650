#pragma once
// One client stream made of several attempts' streams: the answer a provider began, continued by
// another after the first was cut (docs/routing.md, "Streams that survive their provider").
//
// Every attempt's events are turned into OpenAI chat chunks (its own translator), pass through
// here, and go on to the client's translator (fixed for the whole stream). The first attempt's
// chunks pass untouched while what the client is sent is noted: the answer's text, whether
// reasoning, a tool call or a refusal began, whether it finished. When an attempt is cut,
// cut_point() says whether a continuation can follow faithfully and from which text; after
// continue_after_cut(), the next attempt's chunks are rewritten to follow on: its opening role
// chunk and any reasoning are dropped, its id, created, model and system_fingerprint become the
// first attempt's, the whitespace the prefill lost is dropped from the front of its text, and its
// usage gets the cut attempts' tokens added. A stream that ends without a finish reason is cut.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "translate/stream_translator.h"

namespace switchyard {

class StreamSplice final : public StreamTranslator {
 public:
  // Where a cut left the answer.
  struct CutPoint {
    bool continuable = false;
    std::string why_not;  // when not continuable: what the client had been sent that cannot go on
    std::string text;     // the answer's text the client has been sent (UTF-8 content, no reasoning)
  };
  // Tokens of attempts that were cut (no usage came from them), added to the usage that ends the
  // stream: what the cut attempts were billed, as estimated by the caller.
  struct Carried {
    int64_t input_tokens = 0, output_tokens = 0;
  };

  // `downstream` turns OpenAI chunks into the client's events; nullptr: the client reads them as they are.
  explicit StreamSplice(std::unique_ptr<StreamTranslator> downstream);

  // The attempt whose events come next, with its translator into OpenAI chunks (nullptr: it
  // sends OpenAI chunks).
  void attempt(std::unique_ptr<StreamTranslator> to_openai);

  std::optional<Error> on_event(const SseEvent& event, std::string& out) override;
  std::optional<Error> on_end(std::string& out) override;
  bool write_error(const Error& error, std::string& out) override;

  CutPoint cut_point() const;
  // Whether the answer had finished (a finish reason was sent) when its stream was cut before its
  // end: close() then appends the client's closing events, so the complete answer ends as one.
  bool finished() const { return finished_; }
  void close(std::string& out);
  // The next attempt continues from cut_point().text, asked with that text less `trimmed` (the
  // whitespace at its end, which providers refuse in a prefill); `carried` adds to its usage.
  void continue_after_cut(std::string trimmed, Carried carried);
  // Bytes of answer text sent by the attempts so far (the current one included).
  std::size_t text_bytes() const { return text_.size(); }

 private:
  // One OpenAI chunk's data on its way to `out`: noted, rewritten when continuing.
  std::optional<Error> pass(const std::string& data, std::string& out);
  std::optional<Error> forward(std::string_view data, std::string& out);

  std::unique_ptr<StreamTranslator> downstream_, to_openai_;
  std::string text_;
  bool reasoning_open_ = false;  // reasoning began and no text has followed yet
  bool tool_call_ = false, refusal_ = false, other_choice_ = false, finished_ = false;
  // The first chunk's identity, which continuations take on.
  std::string id_, model_, fingerprint_;
  int64_t created_ = 0;
  bool identity_known_ = false;
  // Continuing: the attempt after a cut.
  bool continuing_ = false;
  std::string trim_;  // what is left to drop from the front of the continuation's text
  Carried carried_;
  std::string middle_;  // scratch: the current attempt's chunks before they are passed
};

// `text` split into what a prefill may carry and the whitespace at its end.
std::pair<std::string, std::string> split_trailing_whitespace(std::string_view text);

}  // namespace switchyard
