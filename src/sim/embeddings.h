#pragma once
// Deterministic embeddings in OpenAI's /v1/embeddings format and Gemini's embedContent /
// batchEmbedContents (the same text gets the same vector in both).
#include <boost/json/object.hpp>
#include <string>

#include "sim/wire_format.h"

namespace switchyard::sim {

// The response body for `request` (already checked to be an object); throws BadRequest.
std::string embeddings_reply(const boost::json::object& request, const std::string& model);

// Gemini's {embedding: {values}} for an EmbedContentRequest, or {embeddings: [{values}]} for a
// BatchEmbedContentsRequest (`batch`); throws BadRequest.
std::string gemini_embeddings_reply(const boost::json::object& request, bool batch);

}  // namespace switchyard::sim
