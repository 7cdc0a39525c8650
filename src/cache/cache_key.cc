#include "cache/cache_key.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <vector>

#include "core/digest.h"
#include "core/json_text.h"
#include "translate/json_parse.h"

namespace switchyard {
namespace {

namespace json = boost::json;

// Bumped whenever the normalisation changes, so keys kept in Redis by an older gateway are not
// matched by a newer one's.
constexpr int kKeyVersion = 1;

constexpr std::array<std::string_view, 6> kDroppedFields = {
    "model", "user", "metadata", "store", "safety_identifier", "prompt_cache_key"};
constexpr std::array<std::string_view, 3> kDroppedGatewayFields = {"user", "tags", "byok"};

// Appends `value` with the members of every object sorted by key (bytewise) and numbers and
// strings written one way. The parser bounds the depth (kMaxJsonDepth), so does the recursion.
void append_canonical(std::string& out, const json::value& value) {
  switch (value.kind()) {
    case json::kind::null: out += "null"; break;
    case json::kind::bool_: out += value.get_bool() ? "true" : "false"; break;
    case json::kind::int64: fmt::format_to(std::back_inserter(out), "{}", value.get_int64()); break;
    case json::kind::uint64: fmt::format_to(std::back_inserter(out), "{}", value.get_uint64()); break;
    // 1.0 and 1 are written alike ("1").
    case json::kind::double_: append_json_number(out, value.get_double()); break;
    case json::kind::string: append_json_string(out, value.get_string()); break;
    case json::kind::array: {
      out += '[';
      bool first = true;
      for (const json::value& element : value.get_array()) {
        if (!first) out += ',';
        first = false;
        append_canonical(out, element);
      }
      out += ']';
      break;
    }
    case json::kind::object: {
      std::vector<const json::key_value_pair*> members;
      members.reserve(value.get_object().size());
      for (const json::key_value_pair& member : value.get_object()) members.push_back(&member);
      std::sort(members.begin(), members.end(), [](auto* a, auto* b) { return a->key() < b->key(); });
      out += '{';
      bool first = true;
      for (const json::key_value_pair* member : members) {
        if (!first) out += ',';
        first = false;
        append_json_string(out, member->key());
        out += ':';
        append_canonical(out, member->value());
      }
      out += '}';
      break;
    }
  }
}

// Drops the fields that do not change the answer; an object they leave empty goes too, so a
// body that only had them is the body without them.
void drop_fields(json::object& body) {
  for (std::string_view field : kDroppedFields) body.erase(field);
  auto* options = body.if_contains("providerOptions");
  auto* options_object = options ? options->if_object() : nullptr;
  auto* gateway = options_object ? options_object->if_contains("gateway") : nullptr;
  auto* gateway_object = gateway ? gateway->if_object() : nullptr;
  if (!gateway_object) return;
  for (std::string_view field : kDroppedGatewayFields) gateway_object->erase(field);
  if (gateway_object->empty()) options_object->erase("gateway");
  if (options_object->empty()) body.erase("providerOptions");
}

}  // namespace

std::optional<std::string> cache_key(const CacheKeyParts& parts) {
  boost::system::error_code ec;
  json::value body = parse_json(parts.body, ec);
  if (ec || !body.is_object()) return std::nullopt;
  drop_fields(body.get_object());
  // A JSON array, so no part can be mistaken for another: [version,team,endpoint,model_id,streamed,body].
  std::string text = fmt::format("[{},", kKeyVersion);
  for (std::string_view part : {parts.team, parts.endpoint, parts.model_id}) {
    append_json_string(text, part);
    text += ',';
  }
  text += parts.streamed ? "true," : "false,";
  append_canonical(text, body);
  text += ']';
  return to_hex(sha256(text));
}

}  // namespace switchyard
