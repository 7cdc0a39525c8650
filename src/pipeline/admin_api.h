#pragma once
// The admin API (with the admin_key): keys and teams made, read, changed and revoked at run
// time, kept in the record store, seen by every replica within a poll interval.
//   POST /v1/admin/keys              {team, user?, name?, models?, providers?, limits?, budget?,
//                                     metadata?, expires_at?} -> 201 {id, key, prefix, ...}
//   GET  /v1/admin/keys[?team=]      {"data": [...]}
//   GET | PATCH | DELETE /v1/admin/keys/{id}   (DELETE revokes)
//   POST /v1/admin/teams             {name, segment?, limits?, budget?, ...} -> 201
//   GET  /v1/admin/teams; GET | PATCH /v1/admin/teams/{name}
// Every key and team read shows `spend`: USD at list price in its budget's current period (a
// month without one), from the record store. Also GET /v1/credits, for any key.
#include "core/request_context.h"
#include "governance/governor.h"
#include "pipeline/records_api.h"
#include "pipeline/services.h"
#include "server/exchange.h"

namespace switchyard {

// What `scope` spent at list price since `since_ms`, per the record store. Blocking; throws
// StoreError.
double spent_since(RecordStore& store, const BudgetScope& scope, int64_t since_ms);

Task<> admin_api(RequestContext& context, Exchange& exchange, const Records& records, const Services& services);

// GET /v1/credits (the AI Gateway's shape): {"balance", "total_used"} as decimal strings in USD;
// total_used is what the caller's team (the admin key: every team) has spent at list price;
// balance is the least any budget on the key's path has left this period ("unlimited" without
// one: the AI SDK's schema takes only a string).
Task<> credits_api(RequestContext& context, Exchange& exchange, const Records& records);

}  // namespace switchyard
