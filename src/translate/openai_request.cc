#include "translate/openai_request.h"

#include <simdjson.h>

#include <fmt/format.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include <algorithm>
#include <boost/container/small_vector.hpp>

#include "core/config.h"
#include "translate/client_text.h"
#include "translate/json_parse.h"
#include "translate/parser_memory.h"

namespace switchyard {
namespace {

Error invalid(std::string message, std::string param = {}) {
  return make_error(ErrorKind::bad_request, std::move(message), std::move(param));
}

std::optional<Error> check_messages(simdjson::dom::element messages) {
  simdjson::dom::array list;
  if (messages.get_array().get(list)) return invalid("'messages' must be an array", "messages");
  if (list.size() == 0) return invalid("'messages' must contain at least one message", "messages");
  std::size_t i = 0;
  for (auto message : list) {
    std::string_view role;
    if (!message.is_object())
      return invalid(fmt::format("messages[{}] must be an object", i), fmt::format("messages[{}]", i));
    if (message["role"].get_string().get(role))
      return invalid(fmt::format("messages[{}].role is required and must be a string", i),
                     fmt::format("messages[{}].role", i));
    ++i;
  }
  return std::nullopt;
}

std::optional<Error> check_embedding_input(simdjson::dom::element input) {
  if (input.is_string()) return std::nullopt;
  simdjson::dom::array list;
  if (input.get_array().get(list) || list.size() == 0)
    return invalid("'input' must be a string or a non-empty array of strings or token arrays", "input");
  for (auto item : list)
    if (!item.is_string() && !item.is_array() && !item.is_int64())
      return invalid("'input' items must be strings, token ids or token arrays", "input");
  return std::nullopt;
}

// Walks the top-level members of the (already validated) padded body: finds the "model" value's
// token and refuses a key given twice (parsers disagree on which of two values counts: simdjson
// reads the first, Boost.JSON and most upstreams the last).
std::variant<std::pair<std::size_t, std::size_t>, Error> scan_top_level(const simdjson::padded_string_view& json) {
  thread_local simdjson::ondemand::parser parser;
  ReleaseAfterHugeDocument release(parser, json.size());
  simdjson::ondemand::document doc;
  simdjson::ondemand::object object;
  if (parser.iterate(json).get(doc) || doc.get_object().get(object))
    return invalid("the request body must be a JSON object");
  std::optional<std::pair<std::size_t, std::size_t>> model;
  boost::container::small_vector<std::string_view, 24> keys;
  for (auto field : object) {
    std::string_view key;
    simdjson::ondemand::value value;
    if (field.unescaped_key().get(key) || field.value().get(value))
      return invalid("the request body is not valid JSON");
    keys.push_back(key);  // unescaped keys stay valid until the parser's next document
    if (key != "model") continue;
    std::string_view token = value.raw_json_token();
    while (!token.empty() &&
           (token.back() == ' ' || token.back() == '\n' || token.back() == '\r' || token.back() == '\t'))
      token.remove_suffix(1);
    model = std::pair{static_cast<std::size_t>(token.data() - json.data()), token.size()};
  }
  std::sort(keys.begin(), keys.end());
  if (auto twice = std::adjacent_find(keys.begin(), keys.end()); twice != keys.end())
    return invalid(fmt::format("the request body has the key '{}' more than once", *twice), std::string(*twice));
  if (!model) return invalid("cannot locate 'model' in the request body", "model");
  return *model;
}

// A list of at most `max_items` strings of at most `max_bytes` each at `field` into `out`; an
// error names `param`.
std::optional<Error> read_strings(simdjson::dom::element field, std::vector<std::string>& out, const std::string& param,
                                  std::size_t max_items, std::size_t max_bytes) {
  simdjson::dom::array list;
  if (field.get_array().get(list)) return invalid(fmt::format("'{}' must be an array of strings", param), param);
  if (list.size() > max_items) return invalid(fmt::format("'{}' has more than {} items", param, max_items), param);
  for (auto item : list) {
    std::string_view text;
    if (item.get_string().get(text)) return invalid(fmt::format("'{}' must be an array of strings", param), param);
    if (auto error = check_client_text(text, param, max_bytes)) return error;
    out.emplace_back(text);
  }
  return std::nullopt;
}

// How many model ids and providers a request may list in its gateway options.
constexpr std::size_t kMaxListedModels = 16;
constexpr std::size_t kMaxCredentialBytes = 4096;

// providerOptions.gateway.byok: {"<provider>": [{"apiKey": "..."}, ...]} -> (provider, first key).
// A key goes into a request head: only printable ASCII is taken.
std::optional<Error> read_byok(simdjson::dom::element field, std::vector<std::pair<std::string, std::string>>& out) {
  constexpr std::string_view kParam = "providerOptions.gateway.byok";
  simdjson::dom::object providers;
  if (field.get_object().get(providers))
    return invalid("'providerOptions.gateway.byok' must be an object of provider -> [{apiKey}]", std::string(kParam));
  for (auto [provider, credentials] : providers) {
    if (out.size() >= kMaxListedModels)
      return invalid(fmt::format("'{}' names more than {} providers", kParam, kMaxListedModels), std::string(kParam));
    if (auto error = check_client_text(provider, kParam, kMaxModelIdBytes)) return error;
    simdjson::dom::array list;
    if (credentials.get_array().get(list) || list.size() == 0)
      return invalid(fmt::format("'{}.{}' must be a non-empty array of {{\"apiKey\": \"...\"}}", kParam, provider),
                     std::string(kParam));
    std::string_view key;
    simdjson::dom::element first = *list.begin();  // the first credential (the list is not empty)
    if (first["apiKey"].get_string().get(key) || key.empty() || key.size() > kMaxCredentialBytes ||
        !std::all_of(key.begin(), key.end(), [](char c) { return c > ' ' && c < 127; }))
      return invalid(
          fmt::format("'{}.{}[0].apiKey' must be a non-empty string of printable characters", kParam, provider),
          std::string(kParam));
    out.emplace_back(provider, key);
  }
  return std::nullopt;
}

std::optional<Error> read_gateway_options(simdjson::dom::element root, GatewayOptions& options) {
  if (auto user = root["user"]; !user.error() && user.is_string()) {
    std::string_view text = user.get_string().value_unsafe();
    if (auto error = check_client_text(text, "user", kMaxUserBytes)) return error;
    options.user = text;
  }
  if (auto models = root["models"]; !models.error()) {
    options.in_body = true;
    if (auto error = read_strings(models.value_unsafe(), options.models, "models", kMaxListedModels, kMaxModelIdBytes))
      return error;
  }
  auto provider_options = root["providerOptions"];
  if (provider_options.error()) return std::nullopt;
  options.in_body = true;
  if (!provider_options.is_object()) return invalid("'providerOptions' must be an object", "providerOptions");
  auto gateway = provider_options["gateway"];
  if (gateway.error()) return std::nullopt;
  if (!gateway.is_object()) return invalid("'providerOptions.gateway' must be an object", "providerOptions.gateway");
  struct ListField {
    const char* name;
    std::vector<std::string>* list;
    std::size_t max_items, max_bytes;
  };
  for (auto [name, list, max_items, max_bytes] :
       {ListField{"models", &options.models, kMaxListedModels, kMaxModelIdBytes},
        ListField{"order", &options.order, kMaxListedModels, kMaxModelIdBytes},
        ListField{"only", &options.only, kMaxListedModels, kMaxModelIdBytes},
        ListField{"tags", &options.tags, kMaxTags, kMaxTagBytes}})
    if (auto field = gateway[name]; !field.error())
      if (auto error = read_strings(field.value_unsafe(), *list, fmt::format("providerOptions.gateway.{}", name),
                                    max_items, max_bytes))
        return error;
  if (auto byok = gateway["byok"]; !byok.error())
    if (auto error = read_byok(byok.value_unsafe(), options.byok)) return error;
  if (auto sort = gateway["sort"]; !sort.error()) {
    std::string_view text;
    if (sort.get_string().get(text) || !(options.sort = sort_by_named(text)))
      return invalid("'providerOptions.gateway.sort' must be one of \"cost\", \"ttft\", \"tps\"",
                     "providerOptions.gateway.sort");
  }
  if (auto user = gateway["user"]; !user.error()) {
    std::string_view text;
    if (user.get_string().get(text))
      return invalid("'providerOptions.gateway.user' must be a string", "providerOptions.gateway.user");
    if (auto error = check_client_text(text, "providerOptions.gateway.user", kMaxUserBytes)) return error;
    options.user = text;
  }
  return std::nullopt;
}

simdjson::padded_string_view padded(std::string& body) {
  if (body.capacity() < body.size() + simdjson::SIMDJSON_PADDING)
    body.reserve(body.size() + simdjson::SIMDJSON_PADDING);
  return simdjson::padded_string_view(body.data(), body.size(), body.capacity());
}

}  // namespace

std::variant<GatewayOptions, Error> gateway_options_of(std::string& body) {
  thread_local simdjson::dom::parser parser;
  ReleaseAfterHugeDocument release(parser, body.size());
  simdjson::dom::element root;
  if (auto ec = parser.parse(padded(body)).get(root))
    return invalid(fmt::format("the request body is not valid JSON: {}", simdjson::error_message(ec)));
  GatewayOptions options;
  if (auto error = read_gateway_options(root, options)) return *error;
  return options;
}

std::variant<std::pair<std::size_t, std::size_t>, Error> locate_model_token(std::string& body) {
  return scan_top_level(padded(body));
}

std::variant<RequestView, Error> parse_openai_request(std::string& body, OpenAIEndpoint endpoint) {
  thread_local simdjson::dom::parser parser;
  ReleaseAfterHugeDocument release(parser, body.size());
  simdjson::padded_string_view json = padded(body);

  simdjson::dom::element root;
  if (auto ec = parser.parse(json).get(root))
    return invalid(fmt::format("the request body is not valid JSON: {}", simdjson::error_message(ec)));
  if (!root.is_object()) return invalid("the request body must be a JSON object");

  RequestView view;
  std::string_view model;
  auto model_field = root["model"];
  if (model_field.error()) return invalid("'model' is required", "model");
  if (model_field.get_string().get(model)) return invalid("'model' must be a string", "model");
  if (model.empty()) return invalid("'model' must not be empty", "model");
  if (auto error = check_client_text(model, "model", kMaxModelIdBytes)) return *error;
  view.model = model;

  if (endpoint == OpenAIEndpoint::chat_completions) {
    auto messages = root["messages"];
    if (messages.error()) return invalid("'messages' is required", "messages");
    if (auto error = check_messages(messages.value_unsafe())) return *error;
    if (auto stream = root["stream"]; !stream.error() && !stream.is_null()) {
      if (stream.get_bool().get(view.stream)) return invalid("'stream' must be a boolean", "stream");
    }
    if (auto options = root["stream_options"]; !options.error() && !options.is_null()) {
      if (!options.is_object()) return invalid("'stream_options' must be an object", "stream_options");
      if (auto usage = options["include_usage"]; !usage.error() && usage.get_bool().get(view.include_usage))
        return invalid("'stream_options.include_usage' must be a boolean", "stream_options.include_usage");
    }
  } else if (endpoint == OpenAIEndpoint::responses) {
    auto input = root["input"];
    if (input.error() || !(input.is_string() || input.is_array()))
      return invalid("'input' is required: a string or an array of input items", "input");
    if (auto stream = root["stream"]; !stream.error() && !stream.is_null()) {
      if (stream.get_bool().get(view.stream)) return invalid("'stream' must be a boolean", "stream");
    }
    view.include_usage = true;  // every Responses answer tells its usage
    if (auto previous = root["previous_response_id"]; !previous.error() && !previous.is_null()) {
      std::string_view id;
      if (previous.get_string().get(id) || id.empty() || check_client_text(id, "previous_response_id", 256))
        return invalid("'previous_response_id' must be a response id", "previous_response_id");
      view.previous_response_id = id;
    }
    if (auto store = root["store"]; !store.error() && !store.is_null())
      if (store.get_bool().get(view.store)) return invalid("'store' must be a boolean", "store");
    if (auto id = root["safety_identifier"]; !id.error() && id.is_string()) {
      std::string_view text = id.get_string().value_unsafe();
      if (auto error = check_client_text(text, "safety_identifier", kMaxUserBytes)) return *error;
      view.gateway.user = text;
    }
  } else {
    auto input = root["input"];
    if (input.error()) return invalid("'input' is required", "input");
    if (auto error = check_embedding_input(input.value_unsafe())) return *error;
  }

  if (auto error = read_gateway_options(root, view.gateway)) return *error;
  auto location = scan_top_level(json);
  if (auto* error = std::get_if<Error>(&location)) return *error;
  std::tie(view.model_offset, view.model_length) = std::get<0>(location);
  return view;
}

bool needs_upstream_rewrite(const RequestView& view, OpenAIEndpoint endpoint) {
  return view.gateway.in_body || (endpoint == OpenAIEndpoint::chat_completions && view.stream && !view.include_usage);
}

std::optional<Error> rewrite_for_upstream(std::string& body, OpenAIEndpoint endpoint, RequestView& view) {
  boost::system::error_code ec;
  boost::json::value value = parse_json(body, ec);
  if (ec || !value.is_object()) return invalid("the request body is not a JSON object this gateway can rewrite");
  auto& object = value.get_object();
  object.erase("models");
  object.erase("providerOptions");
  if (endpoint == OpenAIEndpoint::chat_completions && view.stream && !view.include_usage) {
    auto* options = object.if_contains("stream_options");
    if (!options || !options->is_object()) options = &(object["stream_options"] = boost::json::object());
    options->get_object()["include_usage"] = true;
  }
  body = serialize_json(value);
  auto reparsed = parse_openai_request(body, endpoint);
  if (auto* error = std::get_if<Error>(&reparsed)) return *error;
  GatewayOptions options = std::move(view.gateway);
  options.in_body = false;
  const bool client_asked_usage = view.include_usage;
  view = std::get<RequestView>(std::move(reparsed));
  view.gateway = std::move(options);
  view.include_usage = client_asked_usage;
  return std::nullopt;
}

std::string splice_model(std::string_view body, const RequestView& view, std::string_view upstream_model) {
  std::string quoted = serialize_json(std::string_view(upstream_model));
  std::string out;
  out.reserve(body.size() - view.model_length + quoted.size());
  out.append(body.substr(0, view.model_offset));
  out.append(quoted);
  out.append(body.substr(view.model_offset + view.model_length));
  return out;
}

}  // namespace switchyard
