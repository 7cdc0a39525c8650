#pragma once
// The dashboard's static files (dashboard/ in the repository, Chart.js from npm), built in.
#include <optional>
#include <string>
#include <string_view>

namespace switchyard {

struct DashboardAsset {
  const std::string& body;
  const char* content_type;
};

// The file served at `path` (/dashboard, /dashboard/app.js, /dashboard/chart.js), if any.
std::optional<DashboardAsset> dashboard_asset(std::string_view path);

}  // namespace switchyard
