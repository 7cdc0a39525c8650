#pragma once
// The account phase: what each answer cost and who asked for it. Reads usage and the finish
// reason from the answer in the client's format as it goes out, writes `usage.cost` (USD at list
// price) and the generation id into it, and builds the request's durable record.
#include <optional>
#include <string>

#include "core/request_context.h"
#include "routing/router.h"
#include "server/exchange.h"
#include "storage/usage_record.h"
#include "translate/answer_facts.h"
#include "translate/openai_request.h"
#include "translate/stream_translator.h"

namespace switchyard {

// Marks the request for a record and notes who asked for what (user, tags, use case); a
// bad_request Error naming the header when its tags or use case cannot be kept.
std::optional<Error> begin_metering(RequestContext& context, const http::request_header<>& headers,
                                    const RequestView& view);

// The list price of the route that served: its own `price`, its model's, else data/prices.yaml.
std::optional<Price> serving_price(const Config& config, const Candidate& candidate);

// A whole answer on its way out: facts noted, cost and (OpenAI) generation id written in. False
// (and `body` untouched) when the answer is not a JSON object.
bool meter_answer(RequestContext& context, std::string& body, AnswerFormat format, const std::optional<Price>& price);

// A stream's events on their way out, in the client's format.
class StreamMeter {
 public:
  StreamMeter(RequestContext& context, AnswerFormat format, std::optional<Price> price, bool client_wants_usage)
      : context_(context), format_(format), price_(price), client_wants_usage_(client_wants_usage) {}
  // `events` holds whole events; what the client gets is appended to `out`: OpenAI chunks and
  // Responses' response snapshots carry the generation id, the usage its cost (and is dropped when the client did not
  // ask for usage: the gateway asked for it for its own accounting).
  void process(std::string_view events, std::string& out);
  // The route that goes on with the stream (a continuation after a cut): the answer's usage is
  // priced at its price.
  void price_at(std::optional<Price> price) { price_ = price; }

 private:
  RequestContext& context_;
  AnswerFormat format_;
  std::optional<Price> price_;
  bool client_wants_usage_;
};

// A stream stage that passes each event through `meter` (which must outlive it): for a client
// whose answers are translated from OpenAI chunks, the chunks are metered before translation.
std::unique_ptr<StreamTranslator> metering_stage(StreamMeter& meter);

// Makes `r` the record of a finished request, as views of `context`'s texts (nothing copied:
// the recorder encodes it before the context is gone). `scratch` holds a text made for it. Every
// field is assigned, so one view kept per thread is filled again and again without allocating.
// Marks a request refused before any upstream was tried for a record of its own (status from the
// answer, `error`'s message as its error; outcome `rejected`), naming the model it asked for when
// known.
void note_rejection(RequestContext& context, const Error& error, std::string_view requested_model = {});

void view_record(const RequestContext& context, const Exchange& exchange, RecordView& r, std::string& scratch);

}  // namespace switchyard
