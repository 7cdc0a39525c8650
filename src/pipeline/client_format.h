#pragma once
// What differs between the APIs clients call (OpenAI chat, embeddings and Responses, Anthropic
// messages, Google's Gemini API, the Vercel AI Gateway protocol):
// how a request is parsed (and where its model id sits), how errors look, which wire API a
// provider must speak for the client's bytes to pass through, and how answers that reach the
// gateway in OpenAI form are turned into the client's.
#include <boost/json.hpp>
#include <memory>
#include <optional>
#include <string>

#include "core/error.h"
#include "providers/provider_adapter.h"
#include "server/asio.h"
#include "translate/answer_facts.h"
#include "translate/openai_request.h"
#include "translate/stream_translator.h"

namespace switchyard {

struct ClientRequest {
  // The OpenAI endpoint adapters serve it on (a Responses request reaches them as chat).
  OpenAIEndpoint endpoint = OpenAIEndpoint::chat_completions;
  std::string_view body;  // as the client sent it (after the parse phase's rewrite)
  RequestView view;       // model, stream flags, where the model sits in `body`
  // The request in OpenAI chat form, for adapters that translate it; made when first needed.
  std::optional<boost::json::value> as_openai;
  // What a translated answer echoes of the request (Responses: response_shell); made with as_openai.
  boost::json::object answer_shell;
  std::string generation_id;  // the request's id, which a Responses answer takes as its own
  // What else the path or a header says of the request: Gemini's method (generateContent,
  // embedContent, ...), the AI SDK's specification version ("2", "3", "4"), Anthropic's
  // anthropic-beta list (passed on to Anthropic providers). A view of the request head.
  std::string_view api_variant;
};

class ClientFormat {
 public:
  virtual ~ClientFormat() = default;
  // The parse phase: `body` validated and read as far as the gateway needs (it may be rewritten
  // in place for the upstream, e.g. to ask for usage); a bad_request Error naming the field.
  // `head` is the request's: some APIs name the model or ask for a stream in the path or a header.
  virtual std::variant<ClientRequest, Error> parse(std::string& body, WireApi api,
                                                   const http::request_header<>& head) const = 0;
  virtual http::response<http::string_body> error_response(const std::string& request_id, const Error& error) const = 0;
  virtual std::string stream_error_event(const Error& error) const = 0;
  // True when an upstream error body is already complete in this client's format.
  virtual bool is_error_body(std::string_view body) const = 0;
  // How answers look to this client, for accounting.
  virtual AnswerFormat answer_format() const = 0;
  // The wire API of `request`: a provider that speaks it gets the client's own bytes.
  virtual WireApi wire_api(const ClientRequest& request) const = 0;
  // The request for a native provider: the client's bytes with the model replaced.
  virtual std::variant<UpstreamRequest, Error> native_request(const ClientRequest& request,
                                                              const Candidate& candidate) const = 0;
  // The request in OpenAI chat form (ClientRequest::as_openai), or why it has none.
  virtual std::variant<const boost::json::object*, Error> openai_request(ClientRequest& request) const = 0;
  // An answer in OpenAI form -> this client's (openai_request(request) was made first).
  virtual std::variant<std::string, Error> answer_from_openai(std::string body, const ClientRequest& request) const = 0;
  // A stream in OpenAI form -> this client's; nullptr when it needs no change.
  virtual std::unique_ptr<StreamTranslator> stream_from_openai(const ClientRequest& request) const = 0;
  // True when every answer this client gets is made by the gateway from an OpenAI answer (no
  // provider speaks its API): accounting reads and stamps that OpenAI answer before translation
  // (its id, usage.cost and routing metadata), and the translation carries them over.
  virtual bool answers_made_from_openai() const { return false; }
  // A native provider's stream on its way through; nullptr when the bytes need no watching.
  virtual std::unique_ptr<StreamTranslator> stream_from_native() const { return nullptr; }
};

const ClientFormat& openai_client();
const ClientFormat& anthropic_client();
const ClientFormat& responses_client();
const ClientFormat& gemini_client();
const ClientFormat& ai_gateway_client();

}  // namespace switchyard
