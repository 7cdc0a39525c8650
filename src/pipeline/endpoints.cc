#include "pipeline/endpoints.h"

#include <array>

namespace switchyard {
namespace {

using http::verb;

const std::array<Endpoint, 11>& table() {
  static const ClientFormat* openai = &openai_client();
  static const ClientFormat* anthropic = &anthropic_client();
  static const ClientFormat* responses = &responses_client();
  static const std::array<Endpoint, 11> rows{{
      {"/healthz", verb::get, Serves::health, openai, WireApi::chat_completions, false, false},
      {"/metrics", verb::get, Serves::metrics, openai, WireApi::chat_completions, false, false},
      {"/v1/models", verb::get, Serves::models, openai, WireApi::chat_completions, true, false},
      {"/v1/generation", verb::get, Serves::generation, openai, WireApi::chat_completions, true, true},
      {"/v1/report", verb::get, Serves::report, openai, WireApi::chat_completions, true, true},
      {"/v1/insights", verb::get, Serves::insights, openai, WireApi::chat_completions, true, true},
      {"/v1/chat/completions", verb::post, Serves::proxy, openai, WireApi::chat_completions, true, false},
      {"/v1/embeddings", verb::post, Serves::proxy, openai, WireApi::embeddings, true, false},
      {"/v1/responses", verb::post, Serves::proxy, responses, WireApi::responses, true, false},
      {"/v1/messages", verb::post, Serves::proxy, anthropic, WireApi::messages, true, false},
      {"/v1/messages/count_tokens", verb::post, Serves::count_tokens, anthropic, WireApi::messages, true, false},
  }};
  return rows;
}

}  // namespace

const Endpoint* find_endpoint(std::string_view path) {
  for (const Endpoint& row : table())
    if (row.path == path) return &row;
  return nullptr;
}

const ClientFormat& client_for_path(std::string_view path) {
  return path.starts_with("/v1/messages") ? anthropic_client() : openai_client();
}

}  // namespace switchyard
