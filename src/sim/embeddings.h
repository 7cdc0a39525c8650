#pragma once
// Deterministic embeddings in OpenAI's /v1/embeddings format.
#include <boost/json/object.hpp>
#include <string>

#include "sim/wire_format.h"

namespace switchyard::sim {

// The response body for `request` (already checked to be an object); throws BadRequest.
std::string embeddings_reply(const boost::json::object& request, const std::string& model);

}  // namespace switchyard::sim
