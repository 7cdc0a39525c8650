#include "cli/records_command.h"

#include <cstdio>
#include <fstream>
#include <iostream>

#include "cli/command_inputs.h"

namespace switchyard {
namespace {
constexpr std::size_t kPage = 100000, kImportBatch = 5000;
}

int run_export(const std::string& config_path, const std::string& from, const std::string& to) {
  auto window = window_option(from, to);
  if (auto* code = std::get_if<int>(&window)) return *code;
  auto opened = open_configured_store(config_path);
  if (auto* code = std::get_if<int>(&opened)) return *code;
  auto& store = *std::get<ConfiguredStore>(opened).store;
  const DayWindow& days = std::get<DayWindow>(window);
  std::size_t written = 0;
  try {
    scan_pages(store, ScanQuery{days.start_ms, days.end_ms, kPage, std::nullopt}, [&](std::vector<UsageRecord>& page) {
      std::string lines;
      for (const auto& record : page) lines += record_json_line(record);
      std::fwrite(lines.data(), 1, lines.size(), stdout);
      written += page.size();
      return !std::ferror(stdout);
    });
  } catch (const StoreError& e) {
    std::fprintf(stderr, "storage: %s\n", e.what());
    return 1;
  }
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    std::fprintf(stderr, "cannot write the records to stdout\n");
    return 1;
  }
  std::fprintf(stderr, "%zu records exported\n", written);
  return 0;
}

int run_import(const std::string& config_path, const std::string& input) {
  auto opened = open_configured_store(config_path);
  if (auto* code = std::get_if<int>(&opened)) return *code;
  auto& store = *std::get<ConfiguredStore>(opened).store;
  std::ifstream file;
  if (input != "-") {
    file.open(input);
    if (!file) {
      std::fprintf(stderr, "cannot read %s\n", input.c_str());
      return 2;
    }
  }
  std::istream& in = input == "-" ? std::cin : file;
  std::vector<UsageRecord> batch;
  std::size_t line_number = 0, imported = 0, bad = 0;
  auto store_batch = [&] {
    store.write(batch);
    imported += batch.size();
    batch.clear();
    if (imported >= kPage) std::fprintf(stderr, "\rimported: %zu", imported);
  };
  try {
    for (std::string line; std::getline(in, line);) {
      ++line_number;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      try {
        batch.push_back(record_from_json_line(line));
      } catch (const std::runtime_error& e) {
        if (++bad <= 10) std::fprintf(stderr, "%s:%zu: %s\n", input.c_str(), line_number, e.what());
        continue;
      }
      if (batch.size() == kImportBatch) store_batch();
    }
    if (!batch.empty()) store_batch();
  } catch (const StoreError& e) {
    std::fprintf(stderr, "\nstorage: %s (%zu records imported before it)\n", e.what(), imported);
    return 1;
  }
  std::fprintf(stderr, "%s%zu records read and stored (those already there were kept); %zu lines were not records\n",
               imported >= kPage ? "\n" : "", imported, bad);
  return bad ? 1 : 0;
}

}  // namespace switchyard
