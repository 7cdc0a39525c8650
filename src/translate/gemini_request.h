#pragma once
// OpenAI chat and embeddings requests -> Gemini generateContent and batchEmbedContents requests
// (pure JSON, no I/O).
#include <boost/json/object.hpp>
#include <variant>

#include "core/error.h"

namespace switchyard {

// `openai` is a validated chat request. The model goes in the URL, not the body.
std::variant<boost::json::object, Error> gemini_request_from_openai(const boost::json::object& openai);

// A validated OpenAI embeddings request -> a batchEmbedContents body: one request per input text,
// each {"model": "models/<upstream_model>", "content": {"parts": [{"text"}]}}, with `dimensions` as
// outputDimensionality. Token arrays (which Gemini cannot read) are a bad_request naming `input`.
std::variant<boost::json::object, Error> gemini_embeddings_request_from_openai(
    const boost::json::object& openai_embeddings_request, std::string_view upstream_model);

}  // namespace switchyard
