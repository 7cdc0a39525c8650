#include "telemetry/access_log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>

using namespace switchyard;

namespace {

RecordView served_record() {
  RecordView r;
  r.id = "gen_01KB000000000000000000TEST";
  r.created_ms = 1'780'000'000'042;
  r.team = "acme";
  r.key_id = "key_0123456789abcdef";
  r.endpoint = "/v1/chat/completions";
  r.model_requested = "fast";
  r.model = "openai/gpt-4o-mini";
  r.provider = "openai";
  r.status = 200;
  r.latency_ms = 312;
  r.ttft_ms = 120;
  r.input_tokens = 10;
  r.output_tokens = 20;
  r.cost = 0.0001;
  r.attempts.resize(2);
  return r;
}

std::vector<std::string> lines_of(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace

TEST(AccessLog, OneJsonLinePerRequestWithItsOutcome) {
  auto line = boost::json::parse(access_log_line(served_record())).as_object();
  EXPECT_EQ(line.at("time"), "2026-05-28T20:26:40.042Z");
  EXPECT_EQ(line.at("id"), "gen_01KB000000000000000000TEST");
  EXPECT_EQ(line.at("team"), "acme");
  EXPECT_EQ(line.at("key_id"), "key_0123456789abcdef");
  EXPECT_EQ(line.at("model"), "openai/gpt-4o-mini");
  EXPECT_EQ(line.at("status"), 200);
  EXPECT_EQ(line.at("outcome"), "ok");
  EXPECT_EQ(line.at("latency_ms"), 312);
  EXPECT_EQ(line.at("ttft_ms"), 120);
  EXPECT_EQ(line.at("attempts"), 2);
  EXPECT_DOUBLE_EQ(line.at("cost").as_double(), 0.0001);
  EXPECT_TRUE(line.at("error").is_null());
  EXPECT_FALSE(line.contains("cache")) << "only a hit says so";
  EXPECT_FALSE(line.contains("saved_cost"));

  RecordView refused;
  refused.id = "gen_x";
  refused.status = 401;
  refused.error = "invalid API key";
  auto rejected = boost::json::parse(access_log_line(refused)).as_object();
  EXPECT_EQ(rejected.at("outcome"), "rejected") << "refused before any upstream was tried";
  EXPECT_EQ(rejected.at("error"), "invalid API key");
  EXPECT_TRUE(rejected.at("cost").is_null()) << "no price is not a price of 0";
  EXPECT_TRUE(rejected.at("ttft_ms").is_null());
}

TEST(AccessLog, ACacheHitSaysSoWithTheCostItSaved) {
  RecordView hit = served_record();
  hit.provider = hit.model = {};
  hit.attempts.clear();
  hit.cost = 0;
  hit.cache_hit = true;
  hit.saved_cost = 0.0042;
  auto line = boost::json::parse(access_log_line(hit)).as_object();
  EXPECT_EQ(line.at("cache"), "hit");
  EXPECT_DOUBLE_EQ(line.at("saved_cost").as_double(), 0.0042);
  EXPECT_EQ(line.at("attempts"), 0);
  EXPECT_EQ(line.at("outcome"), "ok");
  hit.saved_cost.reset();  // the kept answer was unpriced
  line = boost::json::parse(access_log_line(hit)).as_object();
  EXPECT_EQ(line.at("cache"), "hit");
  EXPECT_TRUE(line.at("saved_cost").is_null());
}

TEST(AccessLog, AppendsToItsFileAndFollowsItWhenRotated) {
  const auto dir = std::filesystem::temp_directory_path() / ("access-log-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = dir / "access.log";
  std::ofstream(path) << "an earlier line\n";
  const RecordView record = served_record();
  {
    AccessLog log(path.string());
    log.add(std::span<const RecordView>(&record, 1));
    EXPECT_EQ(lines_of(path).size(), 2u) << "appended, flushed after the batch";
  }
  {
    AccessLog log(path.string());
    std::filesystem::rename(path, dir / "access.log.1");  // logrotate moves it away
    log.add(std::span<const RecordView>(&record, 1));
    ASSERT_TRUE(std::filesystem::exists(path)) << "a new file at the configured path";
    EXPECT_EQ(lines_of(path).size(), 1u);
    EXPECT_EQ(lines_of(dir / "access.log.1").size(), 2u);
  }
  std::filesystem::remove_all(dir);
  EXPECT_THROW(AccessLog("/nonexistent-dir/access.log"), std::runtime_error);
}
