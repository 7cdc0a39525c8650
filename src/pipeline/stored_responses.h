#pragma once
// The Responses API's state, kept in the record store (so gateways sharing PostgreSQL share it):
// a response asked to be stored (store: true, OpenAI's default) is kept with its conversation's
// input items for `responses.retention_days`; a later request naming it in previous_response_id
// continues that conversation on any provider. A team sees only its own responses (the admin
// key sees all). `responses.store: false` in the config keeps nothing.
#include <optional>
#include <string>

#include "core/request_context.h"
#include "pipeline/records_api.h"
#include "server/exchange.h"

namespace switchyard {

// Before routing: the stored conversation previous_response_id names (when not empty) laid in
// front of `body`'s input, and each item_reference in it replaced by the stored item it names;
// `body` is rewritten without them (no provider knows the gateway's ids). A not_found Error in
// OpenAI's words for an id that is unknown, expired or another team's.
Task<std::optional<Error>> continue_conversation(const RequestContext& context, const Records* records,
                                                 std::string& body, const std::string& previous_response_id);

// As the answer goes out: keeps the conversation (`body`'s input and `answer`, the response
// object or the stream's final event) on the blocking pool; until it is written, lookups find
// it in memory. Never waits.
void keep_conversation(const RequestContext& context, const Records& records, std::string_view body,
                       std::string_view answer);

// GET /v1/responses/{id}, DELETE /v1/responses/{id}, GET /v1/responses/{id}/input_items.
Task<> stored_response_api(RequestContext& context, Exchange& exchange, const Records& records);

// POST /v1/responses/input_tokens: {"object": "response.input_tokens", "input_tokens": N}, N
// estimated as for Anthropic's count_tokens (about four characters a token).
Task<> response_tokens_api(RequestContext& context, Exchange& exchange);

}  // namespace switchyard
