// The dashboard's stand-in when the build leaves it out (-DLABSWEEP_DASHBOARD=OFF): one page
// that says so. The API is served as usual.
#include "orchestrator/dashboard_assets.h"

namespace labsweep::orchestrator {
namespace {

constexpr std::string_view kPage = R"(<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>labsweep</title></head>
<body>
<h1>labsweep</h1>
<p>This labsweep was built without its dashboard (-DLABSWEEP_DASHBOARD=OFF). Run
scripts/setup-deps and build again to get it; the JSON API is at /api/v1/sweeps.</p>
</body>
</html>
)";

constexpr DashboardAsset kAssets[] = {
    {"index.html", "text/html; charset=utf-8", kPage, "\"not-built-1\""},
};

}  // namespace

std::span<const DashboardAsset> dashboard_assets() { return kAssets; }

}  // namespace labsweep::orchestrator
