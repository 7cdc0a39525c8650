#include "storage/metrics.h"

#include <gtest/gtest.h>

#include <algorithm>

using namespace switchyard;

TEST(Metrics, ClientChosenModelIdsCannotGrowTheLabelSetsWithoutBound) {
  Metrics metrics;
  std::vector<UsageRecord> records(5000);
  for (std::size_t i = 0; i < records.size(); ++i) {
    records[i].provider = "sim";
    records[i].model = "sim/random-" + std::to_string(i);
    records[i].status = 200;
    records[i].attempts.push_back(AttemptRecord{});
    records[i].attempts.back().provider = "sim";
    records[i].attempts.back().model_id = records[i].model;
  }
  metrics.observe(std::span<const UsageRecord>(records));
  std::string text = metrics.render();
  auto count = [&](std::string_view needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("model=\"sim/random-4999\""), 0u);
  EXPECT_GT(count("model=\"other\""), 0u);
  // Each label set renders a bounded number of lines (histograms included).
  EXPECT_LT(std::count(text.begin(), text.end(), '\n'), static_cast<std::ptrdiff_t>(Metrics::kMaxLabelSets + 1) * 80);
}
