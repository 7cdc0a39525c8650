#include "storage/metrics.h"

#include <gtest/gtest.h>

#include <fmt/format.h>

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
  EXPECT_GT(count("gen_ai_request_model=\"other\""), 0u);
  // Each label set renders a bounded number of lines (histograms included: 95 for these records,
  // 51 of them the GenAI families').
  EXPECT_LT(std::count(text.begin(), text.end(), '\n'), static_cast<std::ptrdiff_t>(Metrics::kMaxLabelSets + 1) * 100);
}

namespace {

UsageRecord served(std::string_view endpoint, int status, int64_t latency_ms) {
  UsageRecord r;
  r.endpoint = endpoint;
  r.provider = "openai-us";
  r.model = "openai/gpt-4o";
  r.status = status;
  r.latency_ms = latency_ms;
  return r;
}

bool has_line(const std::string& text, std::string_view line) {
  return text.find("\n" + std::string(line) + "\n") != std::string::npos;
}

constexpr std::string_view kChat =
    R"(gen_ai_operation_name="chat",gen_ai_provider_name="openai-us",gen_ai_request_model="openai/gpt-4o")";

}  // namespace

TEST(Metrics, GenAiTokenUsageOfSuccessfulRequests) {
  std::vector<UsageRecord> records(3, served("/v1/chat/completions", 200, 900));
  for (auto& r : records) {
    r.input_tokens = 100;
    r.output_tokens = 5000;
  }
  records[2].status = 502;  // a failure's tokens are not counted
  Metrics metrics;
  metrics.observe(std::span<const UsageRecord>(records));
  const std::string text = metrics.render();
  EXPECT_TRUE(has_line(text, "# TYPE gen_ai_client_token_usage histogram"));
  const std::string input = fmt::format("{},gen_ai_token_type=\"input\"", kChat);
  const std::string output = fmt::format("{},gen_ai_token_type=\"output\"", kChat);
  EXPECT_TRUE(has_line(text, fmt::format("gen_ai_client_token_usage_bucket{{{},le=\"64\"}} 0", input)));
  EXPECT_TRUE(has_line(text, fmt::format("gen_ai_client_token_usage_bucket{{{},le=\"256\"}} 2", input)));
  EXPECT_TRUE(has_line(text, fmt::format("gen_ai_client_token_usage_bucket{{{},le=\"4096\"}} 0", output)));
  EXPECT_TRUE(has_line(text, fmt::format("gen_ai_client_token_usage_bucket{{{},le=\"16384\"}} 2", output)));
  EXPECT_TRUE(has_line(text, fmt::format("gen_ai_client_token_usage_bucket{{{},le=\"67108864\"}} 2", output)));
  EXPECT_TRUE(has_line(text, fmt::format("gen_ai_client_token_usage_sum{{{}}} 10000", output)));
  EXPECT_TRUE(has_line(text, fmt::format("gen_ai_client_token_usage_count{{{}}} 2", input)));
}

TEST(Metrics, GenAiOperationDurationByErrorClass) {
  std::vector<UsageRecord> records = {served("/v1/chat/completions", 200, 300),
                                      served("/v1/chat/completions", 502, 2000), served("/v1/chat/completions", 429, 5),
                                      served("/v1/chat/completions", 0, 50)};
  Metrics metrics;
  metrics.observe(std::span<const UsageRecord>(records));
  const std::string text = metrics.render();
  const std::string name = "gen_ai_client_operation_duration_seconds";
  EXPECT_TRUE(has_line(text, fmt::format("{}_bucket{{{},le=\"0.16\"}} 0", name, kChat)));
  EXPECT_TRUE(has_line(text, fmt::format("{}_bucket{{{},le=\"0.32\"}} 1", name, kChat)));
  EXPECT_TRUE(has_line(text, fmt::format("{}_sum{{{}}} 0.3", name, kChat)));
  EXPECT_TRUE(has_line(text, fmt::format("{}_bucket{{{},error_type=\"5xx\",le=\"1.28\"}} 0", name, kChat)));
  EXPECT_TRUE(has_line(text, fmt::format("{}_bucket{{{},error_type=\"5xx\",le=\"2.56\"}} 1", name, kChat)));
  EXPECT_TRUE(has_line(text, fmt::format("{}_bucket{{{},error_type=\"4xx\",le=\"0.01\"}} 1", name, kChat)));
  EXPECT_TRUE(has_line(text, fmt::format("{}_count{{{},error_type=\"_OTHER\"}} 1", name, kChat)));
  EXPECT_TRUE(has_line(text, fmt::format("{}_bucket{{{},le=\"81.92\"}} 1", name, kChat)));
}

TEST(Metrics, GenAiTimeToFirstTokenOfStreamedAnswersByOperation) {
  std::vector<UsageRecord> records(3, served("/v1beta/models/gemini-2.5-flash:streamGenerateContent", 200, 900));
  for (auto& r : records) {
    r.streamed = true;
    r.ttft_ms = 150;
  }
  records[1].streamed = false;  // its first byte is its whole answer
  records[2].status = 500;
  Metrics metrics;
  metrics.observe(std::span<const UsageRecord>(records));
  const std::string text = metrics.render();
  const std::string labels =
      R"(gen_ai_operation_name="generate_content",gen_ai_provider_name="openai-us",gen_ai_request_model="openai/gpt-4o")";
  const std::string name = "gen_ai_server_time_to_first_token_seconds";
  EXPECT_TRUE(has_line(text, fmt::format("{}_bucket{{{},le=\"0.1\"}} 0", name, labels)));
  EXPECT_TRUE(has_line(text, fmt::format("{}_bucket{{{},le=\"0.25\"}} 1", name, labels)));
  EXPECT_TRUE(has_line(text, fmt::format("{}_bucket{{{},le=\"10\"}} 1", name, labels)));
  EXPECT_TRUE(has_line(text, fmt::format("{}_count{{{}}} 1", name, labels)));
  EXPECT_EQ(text.find(name + "_bucket{gen_ai_operation_name=\"chat\""), std::string::npos);
}

TEST(Metrics, GenAiFamiliesLeaveOutRequestsNoProviderWasAskedFor) {
  UsageRecord refused = served("/v1/chat/completions", 401, 1);
  refused.provider = refused.model = "";
  Metrics metrics;
  metrics.observe(std::span<const UsageRecord>(&refused, 1));
  const std::string text = metrics.render();
  EXPECT_EQ(text.find("gen_ai_provider_name="), std::string::npos);
  EXPECT_NE(text.find("switchyard_requests_total{provider=\"\",model=\"\",status=\"401\"} 1"), std::string::npos);
}
