#pragma once
// The Vercel AI Gateway protocol as the AI SDK's gateway provider (@ai-sdk/gateway) speaks it,
// to and from OpenAI chat and embeddings, the forms the gateway's adapters take (pure JSON, no
// I/O). docs/vercel-gateway-protocol.md has the wire format. No provider speaks this protocol:
// every answer is made here, from an OpenAI answer the meter has already stamped (its `id` is
// the generation id, its `usage.cost` the list-price cost in USD or null when unpriced, and a
// whole answer may carry `provider_metadata.gateway.routing`), and those facts go on into
// `providerMetadata.gateway` ({generationId, cost as a decimal string or null, routing}).
#include <boost/json/object.hpp>
#include <memory>
#include <string>
#include <variant>

#include "core/error.h"
#include "translate/stream_translator.h"

namespace switchyard {

// The LanguageModel specification version a request speaks (the
// ai-language-model-specification-version header): 2 (AI SDK 5: finishReason a string, usage
// flat), 3 or 4 (AI SDK 6 and 7: finishReason {unified, raw}, usage nested).
enum class SpecVersion { v2 = 2, v3 = 3, v4 = 4 };

// POST {base}/language-model: the call options (prompt, maxOutputTokens, temperature, topP, topK,
// stopSequences, seed, presencePenalty, frequencyPenalty, responseFormat, tools, toolChoice,
// reasoning; headers, includeRawChunks and providerOptions are not read here) -> an OpenAI chat
// request for `model`. Prompt parts: text; file (FileData {type: data|url}, or v2/v3's string: a
// data: URL, a URL or bare base64) as an image_url part for images, a file part otherwise;
// reasoning (with providerOptions.anthropic.signature -> reasoning_signature); tool-call (input
// an object -> arguments as a JSON string; providerOptions.google.thoughtSignature ->
// thought_signature); tool-result (output text|json|error-text|error-json|execution-denied|content
// -> the tool message's text). Provider-defined web search tools -> the web_search extension;
// other provider tools are a bad_request naming them. A stream asks for usage. A bad_request Error
// names the field (e.g. "prompt[2].content[0].toolCallId").
std::variant<boost::json::object, Error> chat_from_call_options(const boost::json::object& options,
                                                                std::string_view model, bool stream);

// A chat.completion body -> the generate result: content (reasoning with its signature in
// providerMetadata.anthropic.signature, text, tool-call with input as a JSON string and a Gemini
// thought signature in providerMetadata.google.thoughtSignature), finishReason, usage and
// providerMetadata.gateway, in `version`'s shape; warnings [].
std::variant<std::string, Error> generate_result_from_chat(std::string_view completion_body, SpecVersion version);

// chat.completion.chunk events -> stream parts, one JSON object per SSE `data:` event, no [DONE]:
// stream-start, response-metadata {id, modelId: `model`, timestamp}, text-start/-delta/-end,
// reasoning-start/-delta/-end, tool-input-start/-delta/-end then tool-call once the call's
// arguments are complete, finish {finishReason, usage, providerMetadata.gateway} when the chat
// stream ends. A stream that ends without a finish_reason is an Error; write_error writes an
// error part and a finish part with finishReason error.
std::unique_ptr<StreamTranslator> stream_parts_from_chat(SpecVersion version, std::string model);

// POST {base}/embedding-model: {values: [strings] (v2: `input`, a string or strings), dimensions?}
// -> an OpenAI embeddings request for `model`.
std::variant<boost::json::object, Error> embeddings_from_call_options(const boost::json::object& body,
                                                                      std::string_view model);

// An OpenAI embeddings answer (stamped as above, but an embeddings list has no id: the
// generation's is `generation_id`) -> {embeddings: [[...]] in input order, usage: {tokens},
// providerMetadata: {gateway: {generationId, cost}}}.
std::variant<std::string, Error> embed_result_from_openai(std::string_view body, std::string_view generation_id);

// The gateway's error body: {"error": {"message", "type", "param", "code"}, "generationId"}, the
// type one of authentication_error, invalid_request_error, model_not_found, rate_limit_exceeded,
// internal_server_error (chosen from the error's kind and status) so the SDK's error classes and
// retries work.
std::string ai_gateway_error_body(const Error& error, std::string_view generation_id);

}  // namespace switchyard
