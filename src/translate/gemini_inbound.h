#pragma once
// Google's Gemini API (generateContent, streamGenerateContent, embedContent, batchEmbedContents)
// as a client speaks it, to and from OpenAI chat and embeddings, the forms the gateway's adapters
// take (pure JSON, no I/O). Gemini clients calling Gemini providers never come here: those bytes
// pass through.
#include <boost/json/object.hpp>
#include <memory>
#include <string>
#include <variant>

#include "core/error.h"
#include "translate/stream_translator.h"

namespace switchyard {

// A GenerateContentRequest body -> an OpenAI chat request for `model` (the id from the URL).
// systemInstruction -> a system message; contents (user/model roles; text, inlineData, fileData,
// functionCall with its thoughtSignature, functionResponse, thought parts) -> messages;
// generationConfig (temperature, topP, topK -> top_k, maxOutputTokens, stopSequences,
// candidateCount -> n, seed, penalties, responseLogprobs/logprobs, responseMimeType +
// responseSchema or responseJsonSchema -> response_format, thinkingConfig -> reasoning_effort), tools
// (functionDeclarations with parameters or parametersJsonSchema; googleSearch -> the web_search extension) and
// toolConfig -> tools and tool_choice. A function call without an id gets "call_<content>_<part>"; a functionResponse
// answers the call with its id, else the earliest unanswered one of its name. A stream asks for usage. A bad_request
// Error names the field (Gemini's camelCase path, also as `param`) when the body cannot be read or holds what other
// providers cannot take (cachedContent, built-in tools but googleSearch, files stored with Google).
std::variant<boost::json::object, Error> chat_from_gemini(const boost::json::object& request, std::string_view model,
                                                          bool stream);

// A chat.completion body -> a GenerateContentResponse body: one candidate per choice (a thought
// part for reasoning, text, functionCall parts with id, args as an object and the
// thoughtSignature; one empty text part when there is nothing), finishReason in Gemini's words,
// usageMetadata (when the answer tells usage), modelVersion = `model`, responseId = the
// completion's id. A reasoning_signature (Anthropic's) goes in the thought part's thoughtSignature
// inside a reasoning token (write_thought_signature), and chat_from_gemini reads back only such tokens.
std::variant<std::string, Error> gemini_answer_from_chat(std::string_view completion_body, std::string_view model);

// chat.completion.chunk events -> streamGenerateContent?alt=sse events ("data: {...}\r\n\r\n",
// each a GenerateContentResponse with the new parts; a function call is sent whole, once its
// arguments are complete; the last, written at [DONE], carries finishReason and usageMetadata).
// A stream that ends before [DONE], or without a finish_reason, is an Error (a cut answer never
// looks complete).
std::unique_ptr<StreamTranslator> gemini_stream_from_chat(std::string model);

// A Gemini provider's own stream on its way to a Gemini client: each event relayed as it came
// (its data unparsed); one that ends before an event named a finishReason or an error was cut
// short, however cleanly it closed, and is an Error (Gemini has no closing event of its own).
std::unique_ptr<StreamTranslator> gemini_stream_passthrough();

// An EmbedContentRequest (`batch` false: {content, taskType?, outputDimensionality?}) or a
// BatchEmbedContentsRequest (`batch` true: {requests: [EmbedContentRequest...]}) -> an OpenAI
// embeddings request for `model` ({model, input: [texts], encoding_format: "float", dimensions?}).
// Each content's text parts are joined by newlines; other parts, and outputDimensionality that
// differs between requests, are a bad_request naming the field. taskType and title are dropped.
std::variant<boost::json::object, Error> embeddings_from_gemini(const boost::json::object& request,
                                                                std::string_view model, bool batch);

// An OpenAI embeddings answer -> {"embedding":{"values":[...]}} (`batch` false) or
// {"embeddings":[{"values":[...]}, ...]} in input order (`batch` true), with usageMetadata
// {promptTokenCount, totalTokenCount} when the answer tells usage.
std::variant<std::string, Error> gemini_embeddings_from_openai(std::string_view body, bool batch);

// Google's error shape: {"error":{"code":<HTTP status>,"message":"...","status":"INVALID_ARGUMENT"|
// "UNAUTHENTICATED"|"PERMISSION_DENIED"|"NOT_FOUND"|"RESOURCE_EXHAUSTED"|"INTERNAL"|"UNAVAILABLE"|
// "DEADLINE_EXCEEDED"|...}}, the status word following the HTTP status.
std::string gemini_error_body(const Error& error);

}  // namespace switchyard
