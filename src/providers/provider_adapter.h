#pragma once
// What differs between provider kinds, behind one interface: how an upstream request is built
// from the client's request. Adapters are stateless and shared by all threads.
#include <string>
#include <variant>

#include <boost/json/object.hpp>
#include <memory>

#include "core/error.h"
#include "routing/router.h"
#include "server/asio.h"
#include "translate/openai_request.h"
#include "translate/stream_translator.h"
#include "upstream/upstream_request.h"

namespace switchyard {

// A client request in OpenAI format, parsed as far as the gateway needs.
struct OpenAIInbound {
  OpenAIEndpoint endpoint;
  std::string_view body;
  const RequestView& view;
  // The whole request, for adapters that translate it. With an empty `body` it is the only form
  // (a request translated from another client format).
  const boost::json::object* parsed = nullptr;
};

class ProviderAdapter {
 public:
  virtual ~ProviderAdapter() = default;
  // The upstream request for `inbound` sent to `candidate`, or why it cannot be built.
  virtual std::variant<UpstreamRequest, Error> build_request(const OpenAIInbound& inbound,
                                                             const Candidate& candidate) const = 0;
  // True when the upstream answers in OpenAI's format, so its bytes go to the client unchanged
  // (and the request needs no full parse); otherwise the two functions below translate.
  virtual bool answers_in_openai_format() const = 0;
  // An upstream 2xx body -> a chat.completion body (an embeddings list for `endpoint`
  // embeddings, naming `model`, the model the client asked for).
  virtual std::variant<std::string, Error> translate_response(std::string_view body, OpenAIEndpoint endpoint,
                                                              std::string_view model, int64_t created) const = 0;
  // The upstream's stream -> chat.completion.chunk events.
  virtual std::unique_ptr<StreamTranslator> translate_stream(int64_t created, bool include_usage) const = 0;
};

// The adapter for a provider type.
const ProviderAdapter& adapter_for(ProviderType type);

}  // namespace switchyard
