#include "orchestrator/dashboard_assets.h"

namespace labsweep::orchestrator {

std::optional<DashboardAsset> find_dashboard_asset(std::string_view name) {
  // A handful of files: a linear search costs less than building an index.
  for (const DashboardAsset& asset : dashboard_assets()) {
    if (asset.name == name) return asset;
  }
  return std::nullopt;
}

}  // namespace labsweep::orchestrator
