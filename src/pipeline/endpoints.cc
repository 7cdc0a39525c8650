#include "pipeline/endpoints.h"

#include <array>

namespace switchyard {
namespace {

using http::verb;

const std::array<Endpoint, 17>& table() {
  static const ClientFormat* openai = &openai_client();
  static const ClientFormat* anthropic = &anthropic_client();
  static const ClientFormat* responses = &responses_client();
  static const std::array<Endpoint, 17> rows{{
      {"/healthz", verb::get, Serves::health, openai, WireApi::chat_completions, false, false},
      {"/", verb::get, Serves::health, openai, WireApi::chat_completions, false, false},  // Claude Code's HEAD /
      {"/metrics", verb::get, Serves::metrics, openai, WireApi::chat_completions, false, false},
      {"/v1/models", verb::get, Serves::models, openai, WireApi::chat_completions, true, false},
      {"/v1/models/{path}", verb::get, Serves::model, openai, WireApi::chat_completions, true, false},
      {"/v1/generation", verb::get, Serves::generation, openai, WireApi::chat_completions, true, true},
      {"/v1/report", verb::get, Serves::report, openai, WireApi::chat_completions, true, true},
      {"/v1/insights", verb::get, Serves::insights, openai, WireApi::chat_completions, true, true},
      {"/v1/chat/completions", verb::post, Serves::proxy, openai, WireApi::chat_completions, true, false},
      {"/v1/embeddings", verb::post, Serves::proxy, openai, WireApi::embeddings, true, false},
      {"/v1/responses", verb::post, Serves::proxy, responses, WireApi::responses, true, false},
      {"/v1/responses/input_tokens", verb::post, Serves::response_tokens, responses, WireApi::responses, true, false},
      {"/v1/responses/{id}", verb::get, Serves::stored_response, responses, WireApi::responses, true, true},
      {"/v1/responses/{id}", verb::delete_, Serves::stored_response, responses, WireApi::responses, true, true},
      {"/v1/responses/{id}/input_items", verb::get, Serves::stored_response, responses, WireApi::responses, true, true},
      {"/v1/messages", verb::post, Serves::proxy, anthropic, WireApi::messages, true, false},
      {"/v1/messages/count_tokens", verb::post, Serves::count_tokens, anthropic, WireApi::messages, true, false},
  }};
  return rows;
}

// Whether `path` fits `pattern`, segment by segment ("{id}" fits any non-empty one).
bool fits(std::string_view pattern, std::string_view path) {
  while (!pattern.empty() && !path.empty()) {
    std::size_t p = pattern.find('/', 1), q = path.find('/', 1);
    std::string_view want = pattern.substr(0, p), have = path.substr(0, q);
    if (want == "/{path}") return path.size() > 1;  // the rest, whatever its segments
    if (want != have && !(want == "/{id}" && have.size() > 1)) return false;
    pattern.remove_prefix(want.size());
    path.remove_prefix(have.size());
  }
  return pattern.empty() && path.empty();
}

}  // namespace

const Endpoint* find_endpoint(std::string_view path, http::verb method) {
  const Endpoint* other_method = nullptr;
  for (const Endpoint& row : table()) {
    if (!fits(row.path, path)) continue;
    if (row.method == method || (row.method == verb::get && method == verb::head)) return &row;
    if (!other_method) other_method = &row;
  }
  return other_method;
}

const ClientFormat& client_for_path(std::string_view path) {
  if (path.starts_with("/v1/messages")) return anthropic_client();
  return path.starts_with("/v1/responses") ? responses_client() : openai_client();
}

}  // namespace switchyard
