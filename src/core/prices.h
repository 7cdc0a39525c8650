#pragma once
// Published list prices (data/prices.yaml) and the cost of an answer at them.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/config.h"

namespace switchyard {

struct TokenCounts {
  int64_t input = 0;        // every prompt token, cached ones included
  int64_t output = 0;       // every generated token, reasoning included
  int64_t cache_read = 0;   // of input
  int64_t cache_write = 0;  // of input
};

// USD at `price`: uncached input, cache reads and cache writes each at their own rate, output at its.
double cost_usd(const Price& price, const TokenCounts& tokens);

class PriceTable {
 public:
  // Parses the prices file; throws ConfigError naming `source` and the entry.
  static PriceTable parse(const std::string& yaml_text, const std::string& source);
  // The table compiled into the binary from data/prices.yaml.
  static const std::string& builtin_yaml();

  // The price for an upstream model at a provider on a day (days since 1970-01-01, UTC;
  // core/calendar.h).
  std::optional<Price> find(std::string_view provider, std::string_view upstream_model, int64_t day) const;

  // The name an upstream model is matched by: lower case, no "org/" path, no version suffix.
  static std::string canonical_name(std::string_view upstream_model);
  std::size_t size() const { return entries_; }
  // Every model name the table prices (canonical names), sorted.
  std::vector<std::string> names() const;

 private:
  struct Dated {
    std::string host;  // empty: any provider
    int64_t since = 0;
    Price price;
  };
  const std::vector<Dated>* lookup(const std::string& name) const;
  std::unordered_map<std::string, std::vector<Dated>> by_name_;
  std::size_t entries_ = 0;
};

}  // namespace switchyard
