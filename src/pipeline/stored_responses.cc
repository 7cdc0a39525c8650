#include "pipeline/stored_responses.h"

#include <spdlog/spdlog.h>

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "core/calendar.h"
#include "pipeline/client_format.h"
#include "pipeline/responses.h"
#include "translate/json_fields.h"
#include "translate/json_parse.h"

namespace switchyard {
namespace json = boost::json;
namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Error no_response(std::string_view id, std::string param) {
  Error error =
      make_error(ErrorKind::not_found, "Response with id '" + std::string(id) + "' not found.", std::move(param));
  error.code = "response_not_found";
  return error;
}

// A request's input as items: a string is one user message.
json::array input_items(const json::value* input) {
  if (input && input->is_array()) return input->get_array();
  json::array items;
  if (input && input->is_string())
    items.push_back(json::object{{"type", "message"},
                                 {"role", "user"},
                                 {"content", json::array{json::object{{"type", "input_text"}, {"text", *input}}}}});
  return items;
}

json::array parsed_array(std::string_view text) {
  boost::system::error_code ec;
  json::value value = parse_json(text, ec);
  return !ec && value.is_array() ? std::move(value.get_array()) : json::array{};
}

// `kept` completed from the request body and the kept answer (a body, or a stream's final event);
// false when either is not a JSON object.
bool complete(StoredResponse& kept, std::string_view body, std::string_view answer) {
  boost::system::error_code request_ec, answer_ec;
  json::value request = parse_json(body, request_ec);
  json::value response = parse_json(answer, answer_ec);
  if (request_ec || answer_ec || !request.is_object() || !response.is_object()) return false;
  if (auto* inner = response.get_object().if_contains("response"); inner && inner->is_object())
    response = std::move(*inner);  // the final event of a stream carries the response
  kept.input = serialize_json(input_items(request.get_object().if_contains("input")));
  kept.response = serialize_json(response);
  return true;
}

// A response on its way to the store, as the request left it: completed on the blocking pool.
struct PendingResponse {
  StoredResponse kept;  // id, team and time; input and response still to be made
  std::string body, answer;
  std::atomic<bool> deleted{false};  // DELETE came before the write: the write is undone
};

// Responses handed to the blocking pool and not yet written, from before the answer's last bytes
// are sent: a client continuing the conversation at once finds them here. At most kMaxPending:
// beyond that the store is far behind and a response is not kept (logged), so neither this map
// nor the pool's queue grows without bound.
class PendingResponses {
 public:
  static constexpr std::size_t kMaxPending = 1024;
  // False when kMaxPending responses wait already: the store is behind, and this one is not kept.
  bool add(const std::shared_ptr<PendingResponse>& response) {
    std::lock_guard lock(mutex_);
    if (pending_.size() >= kMaxPending) return false;
    pending_.emplace(response->kept.id, response);
    return true;
  }
  void remove(const std::string& id) {
    std::lock_guard lock(mutex_);
    pending_.erase(id);
  }
  // Marks a response not yet written as deleted (its write is then undone); false when none is.
  bool cancel(const std::string& id) {
    std::lock_guard lock(mutex_);
    auto found = pending_.find(id);
    if (found == pending_.end()) return false;
    found->second->deleted = true;
    pending_.erase(found);
    return true;
  }
  // Runs on the blocking pool: completing a response parses it.
  std::optional<StoredResponse> find(const std::string& id) {
    std::shared_ptr<const PendingResponse> found;
    {
      std::lock_guard lock(mutex_);
      if (auto it = pending_.find(id); it != pending_.end()) found = it->second;
    }
    if (!found) return std::nullopt;
    StoredResponse kept = found->kept;
    if (!complete(kept, found->body, found->answer)) return std::nullopt;
    return kept;
  }

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<PendingResponse>> pending_;
};

PendingResponses& pending() {
  static PendingResponses responses;
  return responses;
}

// Who may see which stored responses: a team its own (the admin key every team's), within
// retention.
struct Visibility {
  std::string team;
  bool admin = false;
  int64_t oldest_ms = 0;
  static Visibility of(const RequestContext& context) {
    return {context.client.team, context.client.admin, now_ms() - context.config->response_retention_days * kDayMs};
  }
};

// On the blocking pool: the stored response `id` when it may be seen; nullopt otherwise.
std::optional<StoredResponse> load_visible(RecordStore& store, const std::string& id, const Visibility& visibility) {
  std::optional<StoredResponse> found = pending().find(id);
  if (!found) found = store.find_response(id);
  if (found && ((!visibility.admin && found->team != visibility.team) || found->created_ms < visibility.oldest_ms))
    found.reset();  // another team's, or expired: as invisible as a missing one
  return found;
}

// The response an item id of this gateway names ("msg_gen_<ULID>_2"): its generation id.
std::string response_of_item(std::string_view item) {
  constexpr std::size_t kIdLength = 30;  // gen_ + 26 ULID characters
  auto at = item.find("gen_");
  return at == std::string_view::npos || item.size() < at + kIdLength ? std::string()
                                                                      : std::string(item.substr(at, kIdLength));
}

// A stored response's whole conversation: its input items, then its output items.
json::array conversation_of(const StoredResponse& stored) {
  json::array items = parsed_array(stored.input);
  boost::system::error_code ec;
  json::value response = parse_json(stored.response, ec);
  if (!ec && response.is_object())
    if (auto* output = response.get_object().if_contains("output"); output && output->is_array())
      for (auto& item : output->get_array()) items.push_back(std::move(item));
  return items;
}

// The bytes `items` take as JSON.
std::size_t stored_bytes(const json::array& items) { return serialize_json(items).size(); }

// How many item_references one request may hold, and how many responses they may name.
constexpr std::size_t kMaxReferences = 256, kMaxReferencedResponses = 16;

Error conversation_too_large(std::size_t max_bytes) {
  return make_error(
      ErrorKind::payload_too_large,
      fmt::format("the conversation with its stored items is over {} bytes (limits.max_body_bytes)", max_bytes),
      "input");
}

// On the blocking pool: `body` with the conversation `previous` names laid in front of its input
// (the id taken out) and each item_reference replaced by the item it names; at most `max_bytes`.
std::variant<std::string, Error> recalled_body(RecordStore& store, const std::string& body, const std::string& previous,
                                               const Visibility& visibility, std::size_t max_bytes) {
  boost::system::error_code ec;
  json::value request = parse_json(body, ec);
  if (ec || !request.is_object()) return make_error(ErrorKind::bad_request, "the request body must be a JSON object");
  json::array items;
  if (!previous.empty()) {
    auto stored = load_visible(store, previous, visibility);
    if (!stored) return no_response(previous, "previous_response_id");
    items = conversation_of(*stored);
  }
  std::map<std::string, json::object> responses;  // each named response's items by id, loaded once
  json::array given = input_items(request.get_object().if_contains("input"));
  std::size_t references = 0, bytes = stored_bytes(items);
  for (std::size_t i = 0; i < given.size(); ++i) {
    auto* item = given[i].if_object();
    if (!item || json_fields::string_field(*item, "type") != "item_reference") {
      items.push_back(std::move(given[i]));
      continue;
    }
    if (++references > kMaxReferences)
      return make_error(ErrorKind::bad_request, fmt::format("at most {} item references per request", kMaxReferences),
                        fmt::format("input[{}]", i));
    std::string id(json_fields::string_field(*item, "id"));
    std::string owner = response_of_item(id);
    if (!responses.contains(owner)) {
      if (responses.size() == kMaxReferencedResponses)
        return make_error(
            ErrorKind::bad_request,
            fmt::format("item references may name items of at most {} responses", kMaxReferencedResponses),
            fmt::format("input[{}]", i));
      json::object by_id;
      if (auto stored = owner.empty() ? std::nullopt : load_visible(store, owner, visibility)) {
        for (auto& listed : conversation_of(*stored))
          if (auto* object = listed.if_object(); object && object->contains("id"))
            by_id[json_fields::string_field(*object, "id")] = std::move(*object);
      }
      responses.emplace(owner, std::move(by_id));
    }
    auto found = responses[owner].find(id);
    if (found == responses[owner].end()) {
      Error error =
          make_error(ErrorKind::not_found, "Item with id '" + id + "' not found.", fmt::format("input[{}]", i));
      error.code = "item_not_found";
      return error;
    }
    bytes += serialize_json(found->value()).size();
    if (bytes > max_bytes) return conversation_too_large(max_bytes);
    items.push_back(found->value());
  }
  request.get_object().erase("previous_response_id");
  request.get_object()["input"] = std::move(items);
  std::string recalled = serialize_json(request);
  if (recalled.size() > max_bytes) return conversation_too_large(max_bytes);
  return recalled;
}

// The stored response `id` when the client may see it; nullopt otherwise. An Error when the
// store cannot answer.
Task<std::variant<std::optional<StoredResponse>, Error>> visible_response(const RequestContext& context,
                                                                          const Records& records, std::string id) {
  std::function<std::optional<StoredResponse>()> lookup = [store = &records.store, id,
                                                           visibility = Visibility::of(context)] {
    return load_visible(*store, id, visibility);
  };
  co_return co_await ask_store(std::move(lookup));
}

// The id and what is asked of it in /v1/responses/{id}[/input_items].
std::pair<std::string, bool> id_in_path(std::string_view target) {
  std::string_view path = target.substr(0, target.find('?'));
  path.remove_prefix(std::string_view("/v1/responses/").size());
  bool items = path.ends_with("/input_items");
  if (items) path.remove_suffix(std::string_view("/input_items").size());
  return {std::string(path), items};
}

// GET /v1/responses/{id}/input_items: the items newest first, as OpenAI lists them, each with an
// id (its own, or one made of its position). Built outside the coroutines (g++ 12 cannot keep
// string literals passed to templates in a coroutine frame).
std::string input_items_body(const StoredResponse& stored) {
  json::array data = parsed_array(stored.input);
  for (std::size_t i = 0; i < data.size(); ++i)
    if (auto* item = data[i].if_object(); item && !item->contains("id"))
      (*item)["id"] = fmt::format("item_{}_{}", stored.id, i);
  std::reverse(data.begin(), data.end());
  auto id_of = [](const json::value& item) {
    const json::value* id = item.is_object() ? item.get_object().if_contains("id") : nullptr;
    return id ? *id : json::value(nullptr);
  };
  json::value first = data.empty() ? json::value(nullptr) : id_of(data.front());
  json::value last = data.empty() ? json::value(nullptr) : id_of(data.back());
  return serialize_json(json::object{
      {"object", "list"}, {"data", std::move(data)}, {"first_id", first}, {"last_id", last}, {"has_more", false}});
}

std::string input_tokens_body(const json::object& request) {
  std::size_t chars = 0;
  for (const char* key : {"instructions", "input", "tools"})
    if (auto* v = request.if_contains(key)) chars += serialize_json(*v).size();
  return serialize_json(
      json::object{{"object", "response.input_tokens"}, {"input_tokens", static_cast<int64_t>((chars + 3) / 4)}});
}

std::string deleted_body(std::string_view id) {
  return serialize_json(json::object{{"id", id}, {"object", "response.deleted"}, {"deleted", true}});
}

}  // namespace

Task<std::optional<Error>> continue_conversation(const RequestContext& context, const Records* records,
                                                 std::string& body, const std::string& previous_response_id) {
  if (!records || !context.config->store_responses)
    co_return previous_response_id.empty()
        ? make_error(ErrorKind::bad_request, "item references need stored responses; send the items themselves",
                     "input")
        : no_response(previous_response_id, "previous_response_id");
  std::function<std::variant<std::string, Error>()> recall = [store = &records->store, body, previous_response_id,
                                                              visibility = Visibility::of(context),
                                                              max_bytes = context.config->max_body_bytes] {
    return recalled_body(*store, body, previous_response_id, visibility, max_bytes);
  };
  auto recalled = co_await ask_store(std::move(recall));
  if (auto* error = std::get_if<Error>(&recalled)) co_return *error;
  auto& result = std::get<std::variant<std::string, Error>>(recalled);
  if (auto* error = std::get_if<Error>(&result)) co_return *error;
  body = std::move(std::get<std::string>(result));
  co_return std::nullopt;
}

void keep_conversation(const RequestContext& context, const Records& records, std::string_view body,
                       std::string_view answer) {
  auto waiting = std::make_shared<PendingResponse>();
  waiting->kept = {context.id, context.client.team, context.unix_ms(context.start), {}, {}};
  waiting->body = body;
  waiting->answer = answer;
  if (!pending().add(waiting)) {  // bounded: a store that cannot keep up does not grow the queue
    spdlog::warn("{}: not stored: {} responses already wait for the store", context.id, PendingResponses::kMaxPending);
    return;
  }
  const int64_t expire_before_ms = now_ms() - context.config->response_retention_days * kDayMs;
  // The parsing and the write happen on the blocking pool: the event loop only hands them over.
  net::post(blocking_pool(), [store = &records.store, waiting, expire_before_ms] {
    StoredResponse kept = waiting->kept;
    try {
      if (complete(kept, waiting->body, waiting->answer)) store->put_response(kept, expire_before_ms);
      if (waiting->deleted) store->delete_response(kept.id);  // deleted while it was being written
    } catch (const std::exception& e) {
      spdlog::warn("{}: the response could not be stored: {}", kept.id, e.what());
    }
    pending().remove(kept.id);
  });
}

Task<> stored_response_api(RequestContext& context, Exchange& exchange, const Records& records) {
  const ClientFormat& client = responses_client();
  const auto [path_id, items] = id_in_path(exchange.request().target());
  const std::string id = path_id;  // a variable of its own: lambdas cannot capture a structured binding
  auto found = co_await visible_response(context, records, id);
  if (auto* error = std::get_if<Error>(&found)) {
    co_await exchange.respond(client.error_response(context.id, *error));
    co_return;
  }
  const auto& stored = std::get<std::optional<StoredResponse>>(found);
  if (!stored) {
    co_await exchange.respond(client.error_response(context.id, no_response(id, "response_id")));
    co_return;
  }
  if (exchange.request().method() == http::verb::delete_) {
    std::function<bool()> erase = [store = &records.store, id] {
      const bool was_pending = pending().cancel(id);  // its write, if still to come, is undone
      return store->delete_response(id) || was_pending;
    };
    auto erased = co_await ask_store(std::move(erase));
    if (auto* error = std::get_if<Error>(&erased)) {
      co_await exchange.respond(client.error_response(context.id, *error));
      co_return;
    }
    co_await exchange.respond(json_response(context.id, 200, deleted_body(id)));
    co_return;
  }
  if (!items) {
    co_await exchange.respond(json_response(context.id, 200, stored->response));
    co_return;
  }
  co_await exchange.respond(json_response(context.id, 200, input_items_body(*stored)));
}

Task<> response_tokens_api(RequestContext& context, Exchange& exchange) {
  const ClientFormat& client = responses_client();
  boost::system::error_code ec;
  json::value request = parse_json(exchange.request().body(), ec);
  if (ec || !request.is_object()) {
    co_await exchange.respond(client.error_response(
        context.id, make_error(ErrorKind::bad_request, "the request body must be a JSON object")));
    co_return;
  }
  co_await exchange.respond(json_response(context.id, 200, input_tokens_body(request.get_object())));
}

}  // namespace switchyard
