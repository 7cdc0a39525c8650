#include "core/prices.h"

#include "core/calendar.h"

#include <yaml-cpp/yaml.h>

#include <fmt/format.h>
#include <algorithm>
#include <cctype>

namespace switchyard {
namespace {

bool all_digits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

// Strips one version suffix: -2024-08-06, -20250929, @20250929, -0905 (a MMDD date), or a word
// such as -latest; true when it took one off.
bool strip_version(std::string& name) {
  for (std::string_view word : {"-latest", "-preview", "-versatile", "-instruct", "-turbo", "-exp"})
    if (name.size() > word.size() && name.ends_with(word)) {
      name.resize(name.size() - word.size());
      return true;
    }
  auto at = name.find('@');
  if (at != std::string::npos) {
    name.resize(at);
    return true;
  }
  // -YYYY-MM-DD
  if (name.size() > 11 && name[name.size() - 11] == '-' && name[name.size() - 6] == '-' &&
      name[name.size() - 3] == '-' && all_digits(std::string_view(name).substr(name.size() - 10, 4))) {
    name.resize(name.size() - 11);
    return true;
  }
  // -YYYYMMDD
  auto dash = name.rfind('-');
  if (dash != std::string::npos && name.size() - dash - 1 == 8 && all_digits(std::string_view(name).substr(dash + 1))) {
    name.resize(dash);
    return true;
  }
  return false;
}

}  // namespace

double cost_usd(const Price& price, const TokenCounts& t) {
  int64_t uncached = std::max<int64_t>(0, t.input - t.cache_read - t.cache_write);
  double usd = uncached * price.input_per_mtok + t.output * price.output_per_mtok +
               t.cache_read * price.cache_read_per_mtok.value_or(price.input_per_mtok) +
               t.cache_write * price.cache_write_per_mtok.value_or(price.input_per_mtok);
  return usd / 1e6;
}

std::string PriceTable::canonical_name(std::string_view upstream_model) {
  if (auto slash = upstream_model.rfind('/'); slash != std::string_view::npos) upstream_model.remove_prefix(slash + 1);
  std::string name(upstream_model);
  for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  while (strip_version(name)) {
  }
  return name;
}

PriceTable PriceTable::parse(const std::string& yaml_text, const std::string& source) {
  PriceTable table;
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    throw ConfigError(fmt::format("{}:{}: invalid YAML: {}", source, e.mark.line + 1, e.msg));
  }
  const YAML::Node& prices = root["prices"];
  if (!prices || !prices.IsSequence()) throw ConfigError(source + ": expected a top-level `prices:` list");
  for (std::size_t i = 0; i < prices.size(); ++i) {
    const YAML::Node& entry = prices[i];
    const std::string where = fmt::format("{}:{}: prices[{}]", source, entry.Mark().line + 1, i);
    try {
      Dated dated;
      dated.price.input_per_mtok = entry["input"].as<double>();
      dated.price.output_per_mtok = entry["output"].as<double>();
      if (entry["cache_read"]) dated.price.cache_read_per_mtok = entry["cache_read"].as<double>();
      if (entry["cache_write"]) dated.price.cache_write_per_mtok = entry["cache_write"].as<double>();
      if (entry["host"]) dated.host = entry["host"].as<std::string>();
      if (entry["since"]) {
        auto since = parse_day(entry["since"].as<std::string>());
        if (!since)
          throw ConfigError(
              fmt::format("{}: since must be YYYY-MM-DD (got '{}')", where, entry["since"].as<std::string>()));
        dated.since = *since;
      }
      std::vector<std::string> names;
      if (entry["model"].IsSequence())
        names = entry["model"].as<std::vector<std::string>>();
      else
        names.push_back(entry["model"].as<std::string>());
      for (const auto& name : names) table.by_name_[canonical_name(name)].push_back(dated);
      ++table.entries_;
    } catch (const YAML::Exception& e) {
      throw ConfigError(fmt::format("{}: needs model, input and output (numbers per 1M tokens): {}", where, e.msg));
    }
  }
  return table;
}

const std::vector<PriceTable::Dated>* PriceTable::lookup(const std::string& name) const {
  if (auto it = by_name_.find(name); it != by_name_.end()) return &it->second;
  // The longest listed name this one starts with, at a '-' or '.' boundary.
  for (std::size_t end = name.size(); end > 0; --end) {
    if (name[end - 1] != '-' && name[end - 1] != '.') continue;
    if (auto it = by_name_.find(name.substr(0, end - 1)); it != by_name_.end()) return &it->second;
  }
  return nullptr;
}

std::optional<Price> PriceTable::find(std::string_view provider, std::string_view upstream_model, int64_t day) const {
  const auto* dated = lookup(canonical_name(upstream_model));
  if (!dated) return std::nullopt;
  const Dated* best = nullptr;
  for (const auto& d : *dated) {
    if (d.since > day || (!d.host.empty() && d.host != provider)) continue;
    // A host's own price beats the general one; then the latest that took effect.
    auto rank = [](const Dated& x) { return std::pair{!x.host.empty(), x.since}; };
    if (!best || rank(d) > rank(*best)) best = &d;
  }
  if (!best) return std::nullopt;
  return best->price;
}

std::vector<std::string> PriceTable::names() const {
  std::vector<std::string> names;
  names.reserve(by_name_.size());
  for (const auto& [name, dated] : by_name_) names.push_back(name);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace switchyard
