#pragma once

// The dashboard's files (web/, docs/dashboard.md), embedded into the binary at build time:
// cmake/EmbedFiles.cmake generates the table from the bundle, or dashboard_not_built.cc stands
// in when the build leaves the dashboard out. Immutable data; safe from any thread.

#include <optional>
#include <span>
#include <string_view>

namespace labsweep::orchestrator {

struct DashboardAsset {
  std::string_view name;          // "app.js"; the page itself is "index.html"
  std::string_view content_type;  // "application/javascript; charset=utf-8"
  std::string_view body;
  std::string_view etag;  // quoted, as the ETag header carries it: "\"0123abcd...\""
};

// Every embedded file.
std::span<const DashboardAsset> dashboard_assets();

// The file named `name`; nullopt when there is none.
std::optional<DashboardAsset> find_dashboard_asset(std::string_view name);

}  // namespace labsweep::orchestrator
