#include "sim/embeddings.h"

#include <openssl/evp.h>

#include <boost/json.hpp>
#include <cmath>
#include <cstring>

namespace switchyard::sim {
namespace json = boost::json;
namespace {

std::vector<float> vector_for(std::string_view text, std::size_t dimensions) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a: the same text always gets the same vector
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
  std::vector<float> v(dimensions);
  double norm = 0;
  for (std::size_t i = 0; i < dimensions; ++i) {
    v[i] = static_cast<float>(std::sin(static_cast<double>(h % 100003) + static_cast<double>(i) * 0.7));
    norm += static_cast<double>(v[i]) * v[i];
  }
  for (auto& x : v) x = static_cast<float>(x / std::sqrt(norm));
  return v;
}

std::string base64_floats(const std::vector<float>& v) {
  std::string bytes(v.size() * sizeof(float), '\0');
  std::memcpy(bytes.data(), v.data(), bytes.size());  // little-endian float32, as OpenAI encodes it
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

// One EmbedContentRequest's text (its content's text parts, joined) and outputDimensionality.
std::pair<std::string, std::size_t> gemini_text(const json::value& request) {
  const json::object* fields = request.if_object();
  const json::value* content = fields ? fields->if_contains("content") : nullptr;
  const json::value* parts = content && content->is_object() ? content->get_object().if_contains("parts") : nullptr;
  if (!parts || !parts->is_array() || parts->get_array().empty())
    throw BadRequest{"each request needs content.parts with text"};
  std::string text;
  for (const auto& part : parts->get_array())
    if (const auto* t = part.is_object() ? part.get_object().if_contains("text") : nullptr; t && t->is_string())
      text += t->get_string();
  std::size_t dimensions = 8;
  if (auto* d = fields->if_contains("outputDimensionality"); d && d->is_int64()) {
    if (d->get_int64() < 1 || d->get_int64() > 4096) throw BadRequest{"outputDimensionality must be 1-4096"};
    dimensions = static_cast<std::size_t>(d->get_int64());
  }
  return {std::move(text), dimensions};
}

json::object gemini_embedding(const json::value& request) {
  auto [text, dimensions] = gemini_text(request);
  json::array values;
  for (float x : vector_for(text, dimensions)) values.push_back(static_cast<double>(x));
  return {{"values", std::move(values)}};
}

}  // namespace

std::string gemini_embeddings_reply(const json::object& request, bool batch) {
  if (!batch) return json::serialize(json::object{{"embedding", gemini_embedding(request)}});
  const json::value* requests = request.if_contains("requests");
  if (!requests || !requests->is_array() || requests->get_array().empty())
    throw BadRequest{"'requests' must be a non-empty list"};
  json::array embeddings;
  for (const auto& each : requests->get_array()) embeddings.push_back(gemini_embedding(each));
  return json::serialize(json::object{{"embeddings", std::move(embeddings)}});
}

std::string embeddings_reply(const json::object& request, const std::string& model) {
  std::vector<std::string> inputs;
  const json::value* input = request.if_contains("input");
  if (!input) throw BadRequest{"'input' is required"};
  if (input->is_string()) {
    inputs.emplace_back(input->get_string());
  } else if (input->is_array() && !input->get_array().empty()) {
    for (const auto& item : input->get_array())
      inputs.push_back(item.is_string() ? std::string(item.get_string()) : json::serialize(item));
  } else {
    throw BadRequest{"'input' must be a string or a non-empty array"};
  }
  std::size_t dimensions = 8;
  if (auto* d = request.if_contains("dimensions"); d && d->is_int64()) {
    if (d->get_int64() < 1 || d->get_int64() > 4096) throw BadRequest{"'dimensions' must be between 1 and 4096"};
    dimensions = static_cast<std::size_t>(d->get_int64());
  }
  bool base64 = false;
  if (auto* f = request.if_contains("encoding_format"); f && f->is_string()) base64 = f->get_string() == "base64";

  json::array data;
  std::size_t chars = 0;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    chars += inputs[i].size();
    auto v = vector_for(inputs[i], dimensions);
    json::value embedding;
    if (base64) {
      embedding = base64_floats(v);
    } else {
      json::array values;
      for (float x : v) values.push_back(static_cast<double>(x));
      embedding = std::move(values);
    }
    data.push_back(json::object{{"object", "embedding"}, {"index", i}, {"embedding", std::move(embedding)}});
  }
  auto tokens = static_cast<std::int64_t>(std::max<std::size_t>(1, (chars + 3) / 4));
  return json::serialize(json::object{{"object", "list"},
                                      {"data", std::move(data)},
                                      {"model", model},
                                      {"usage", {{"prompt_tokens", tokens}, {"total_tokens", tokens}}}});
}

}  // namespace switchyard::sim
