#pragma once
// What differs between provider kinds, behind one interface: how an upstream request is built
// from the client's request. Adapters are stateless and shared by all threads.
#include <string>
#include <variant>

#include "core/error.h"
#include "routing/router.h"
#include "server/asio.h"
#include "translate/openai_request.h"

namespace switchyard {

// A client request in OpenAI format, parsed as far as the gateway needs.
struct OpenAIInbound {
  OpenAIEndpoint endpoint;
  std::string_view body;
  const OpenAIRequestView& view;
};

// An upstream HTTP request. Its header lines are kept as text: they are written out once and
// never looked up, and text costs one allocation where a field map costs one per field.
struct UpstreamRequest {
  http::verb method = http::verb::post;
  std::string target;
  std::string header_lines;  // "Name: value\r\n" each; Host and Content-Length are added when sent
  std::string body;
};

class ProviderAdapter {
 public:
  virtual ~ProviderAdapter() = default;
  // The upstream request for `inbound` sent to `candidate`, or why it cannot be built.
  virtual std::variant<UpstreamRequest, Error> build_request(const OpenAIInbound& inbound,
                                                             const Candidate& candidate) const = 0;
  // True when the upstream answers in OpenAI's format, so its bytes go to the client unchanged.
  virtual bool answers_in_openai_format() const = 0;
};

// The adapter for a provider type, or nullptr when the type has none yet.
const ProviderAdapter* adapter_for(ProviderType type);

}  // namespace switchyard
