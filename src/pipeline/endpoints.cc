#include "pipeline/endpoints.h"

#include <array>
#include <tuple>
#include <type_traits>

namespace switchyard {
namespace {

using http::verb;

const std::array<Endpoint, 48>& table() {
  static const ClientFormat* openai = &openai_client();
  static const ClientFormat* anthropic = &anthropic_client();
  static const ClientFormat* responses = &responses_client();
  static const ClientFormat* gemini = &gemini_client();
  constexpr WireApi google = WireApi::generate_content;
  static const ClientFormat* ai_gateway = &ai_gateway_client();
  constexpr WireApi vercel = WireApi::ai_gateway;
  static const std::array<Endpoint, 48> rows{{
      {"/healthz", verb::get, Serves::health, openai, WireApi::chat_completions, false, false},
      {"/", verb::get, Serves::health, openai, WireApi::chat_completions, false, false},  // Claude Code's HEAD /
      {"/metrics", verb::get, Serves::metrics, openai, WireApi::chat_completions, false, false},
      {"/v1/models", verb::get, Serves::models, openai, WireApi::chat_completions, true, false},
      {"/v1/models/{path}", verb::get, Serves::model, openai, WireApi::chat_completions, true, false},
      {"/v1/generation", verb::get, Serves::generation, openai, WireApi::chat_completions, true, true},
      {"/v1/credits", verb::get, Serves::credits, openai, WireApi::chat_completions, true, true},
      {"/v1/report", verb::get, Serves::report, openai, WireApi::chat_completions, true, true},
      {"/v1/admin/keys", verb::get, Serves::admin, openai, WireApi::chat_completions, true, true},
      {"/v1/admin/keys", verb::post, Serves::admin, openai, WireApi::chat_completions, true, true},
      {"/v1/admin/keys/{id}", verb::get, Serves::admin, openai, WireApi::chat_completions, true, true},
      {"/v1/admin/keys/{id}", verb::patch, Serves::admin, openai, WireApi::chat_completions, true, true},
      {"/v1/admin/keys/{id}", verb::delete_, Serves::admin, openai, WireApi::chat_completions, true, true},
      {"/v1/admin/teams", verb::get, Serves::admin, openai, WireApi::chat_completions, true, true},
      {"/v1/admin/teams", verb::post, Serves::admin, openai, WireApi::chat_completions, true, true},
      {"/v1/admin/teams/{id}", verb::get, Serves::admin, openai, WireApi::chat_completions, true, true},
      {"/v1/admin/teams/{id}", verb::patch, Serves::admin, openai, WireApi::chat_completions, true, true},
      {"/v1/insights", verb::get, Serves::insights, openai, WireApi::chat_completions, true, true},
      {"/v1/logs", verb::get, Serves::logs, openai, WireApi::chat_completions, true, true},
      {"/v1/timeseries", verb::get, Serves::timeseries, openai, WireApi::chat_completions, true, true},
      {"/v1/chat/completions", verb::post, Serves::proxy, openai, WireApi::chat_completions, true, false},
      {"/v1/embeddings", verb::post, Serves::proxy, openai, WireApi::embeddings, true, false},
      {"/v1/responses", verb::post, Serves::proxy, responses, WireApi::responses, true, false},
      {"/v1/responses/input_tokens", verb::post, Serves::response_tokens, responses, WireApi::responses, true, false},
      {"/v1/responses/{id}", verb::get, Serves::stored_response, responses, WireApi::responses, true, true},
      {"/v1/responses/{id}", verb::delete_, Serves::stored_response, responses, WireApi::responses, true, true},
      {"/v1/responses/{id}/input_items", verb::get, Serves::stored_response, responses, WireApi::responses, true, true},
      {"/v1/messages", verb::post, Serves::proxy, anthropic, WireApi::messages, true, false},
      {"/v1/messages/count_tokens", verb::post, Serves::count_tokens, anthropic, WireApi::messages, true, false},
      // The Vercel AI Gateway protocol: /v1/ai for @ai-sdk/gateway 1.x (AI SDK 5), /v3/ai for 2.x
      // and 3.x (AI SDK 6), /v4/ai for 4.x (AI SDK 7).
      {"/v1/ai/language-model", verb::post, Serves::proxy, ai_gateway, vercel, true, false},
      {"/v3/ai/language-model", verb::post, Serves::proxy, ai_gateway, vercel, true, false},
      {"/v4/ai/language-model", verb::post, Serves::proxy, ai_gateway, vercel, true, false},
      {"/v1/ai/embedding-model", verb::post, Serves::proxy, ai_gateway, vercel, true, false},
      {"/v3/ai/embedding-model", verb::post, Serves::proxy, ai_gateway, vercel, true, false},
      {"/v4/ai/embedding-model", verb::post, Serves::proxy, ai_gateway, vercel, true, false},
      {"/v1/ai/config", verb::get, Serves::ai_gateway_config, ai_gateway, vercel, true, false},
      {"/v3/ai/config", verb::get, Serves::ai_gateway_config, ai_gateway, vercel, true, false},
      {"/v4/ai/config", verb::get, Serves::ai_gateway_config, ai_gateway, vercel, true, false},
      // Google's Gemini API: v1beta is what @ai-sdk/google calls, v1 @google/genai's other version.
      {"/v1beta/{path}:generateContent", verb::post, Serves::proxy, gemini, google, true, false},
      {"/v1beta/{path}:streamGenerateContent", verb::post, Serves::proxy, gemini, google, true, false},
      {"/v1beta/{path}:embedContent", verb::post, Serves::proxy, gemini, google, true, false},
      {"/v1beta/{path}:batchEmbedContents", verb::post, Serves::proxy, gemini, google, true, false},
      {"/v1beta/{path}:countTokens", verb::post, Serves::gemini_count_tokens, gemini, google, true, false},
      {"/v1/{path}:generateContent", verb::post, Serves::proxy, gemini, google, true, false},
      {"/v1/{path}:streamGenerateContent", verb::post, Serves::proxy, gemini, google, true, false},
      {"/v1/{path}:embedContent", verb::post, Serves::proxy, gemini, google, true, false},
      {"/v1/{path}:batchEmbedContents", verb::post, Serves::proxy, gemini, google, true, false},
      {"/v1/{path}:countTokens", verb::post, Serves::gemini_count_tokens, gemini, google, true, false},
  }};
  return rows;
}

// Whether `path` fits `pattern`, segment by segment ("{id}" fits any non-empty one; a final
// "{path}" the rest, "{path}:method" the rest when it ends with ":method").
bool fits(std::string_view pattern, std::string_view path) {
  while (!pattern.empty() && !path.empty()) {
    std::size_t p = pattern.find('/', 1), q = path.find('/', 1);
    std::string_view want = pattern.substr(0, p), have = path.substr(0, q);
    if (want.starts_with("/{path}")) {  // the rest, whatever its segments, ending with what follows
      std::string_view suffix = want.substr(std::string_view("/{path}").size());
      return path.size() > 1 + suffix.size() && path.ends_with(suffix);
    }
    if (want != have && !(want == "/{id}" && have.size() > 1)) return false;
    pattern.remove_prefix(want.size());
    path.remove_prefix(have.size());
  }
  return pattern.empty() && path.empty();
}

// Where each row's first placeholder starts (npos for a literal path): a literal row is one
// string comparison and a pattern row whose literal start the path lacks is skipped without
// fits(), which matters because every request looks its path up (~3,800 instructions a request
// before, callgrind).
using PlaceholderStarts = std::array<std::size_t, std::tuple_size_v<std::remove_cvref_t<decltype(table())>>>;
const PlaceholderStarts& placeholder_starts() {
  static const PlaceholderStarts starts = [] {
    PlaceholderStarts out{};
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = table()[i].path.find('{');
    return out;
  }();
  return starts;
}

}  // namespace

const Endpoint* find_endpoint(std::string_view path, http::verb method) {
  const auto& rows = table();
  const auto& starts = placeholder_starts();
  const Endpoint* other_method = nullptr;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Endpoint& row = rows[i];
    bool fit = starts[i] == std::string_view::npos
                   ? row.path == path
                   : path.starts_with(row.path.substr(0, starts[i])) && fits(row.path, path);
    if (!fit) continue;
    if (row.method == method || (row.method == verb::get && method == verb::head)) return &row;
    if (!other_method) other_method = &row;
  }
  return other_method;
}

const ClientFormat& client_for_path(std::string_view path) {
  if (path.starts_with("/v1/messages")) return anthropic_client();
  if (path.starts_with("/v1beta/") || path.find(':') != std::string_view::npos) return gemini_client();
  for (std::string_view base : {"/v1/ai/", "/v3/ai/", "/v4/ai/"})
    if (path.starts_with(base)) return ai_gateway_client();
  return path.starts_with("/v1/responses") ? responses_client() : openai_client();
}

}  // namespace switchyard
