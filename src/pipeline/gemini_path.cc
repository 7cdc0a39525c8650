#include "pipeline/gemini_path.h"

#include <algorithm>
#include <array>

#include "translate/client_text.h"

namespace switchyard {
namespace {

constexpr std::array<std::string_view, 5> kMethods{"generateContent", "streamGenerateContent", "countTokens",
                                                   "embedContent", "batchEmbedContents"};

// True when the query holds alt=sse.
bool asks_for_sse(std::string_view query) {
  for (std::string_view rest = query; !rest.empty();) {
    std::string_view pair = rest.substr(0, rest.find('&'));
    if (pair == "alt=sse") return true;
    rest.remove_prefix(std::min(rest.size(), pair.size() + 1));
  }
  return false;
}

}  // namespace

std::variant<GeminiCall, Error> read_gemini_path(std::string_view target) {
  std::size_t query_at = target.find('?');
  std::string_view path = target.substr(0, query_at);
  std::string_view query = query_at == std::string_view::npos ? std::string_view() : target.substr(query_at + 1);
  for (std::string_view version : {"/v1beta/", "/v1/"})
    if (path.starts_with(version)) path.remove_prefix(version.size());
  if (path.starts_with("models/")) path.remove_prefix(std::string_view("models/").size());
  std::size_t colon = path.rfind(':');
  if (colon == std::string_view::npos || colon == 0)
    return make_error(ErrorKind::not_found, "the path names no model and method ('models/{model}:generateContent')");
  std::string_view method = path.substr(colon + 1);
  const auto* known = std::find(kMethods.begin(), kMethods.end(), method);
  if (known == kMethods.end())
    return make_error(ErrorKind::not_found,
                      "this gateway does not serve the method ':" + valid_utf8(method.substr(0, 64)) + "'");
  auto model = percent_decode(path.substr(0, colon));
  if (!model) return make_error(ErrorKind::bad_request, "the model id in the path holds a malformed %-escape", "model");
  if (auto error = check_client_text(*model, "model", kMaxModelIdBytes)) return *error;
  if (*known == "streamGenerateContent" && !asks_for_sse(query))
    return make_error(ErrorKind::bad_request,
                      "streamGenerateContent is served as server-sent events only: add ?alt=sse to the URL");
  return GeminiCall{std::move(*model), *known, *known == "embedContent" || *known == "batchEmbedContents"};
}

}  // namespace switchyard
