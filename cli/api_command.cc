#include "cli/api_command.h"

#include <ostream>

#include "cli/client_token.h"

namespace labsweep::cli {

void add_url_option(CLI::App& command, std::string& url) {
  command.add_option("--url", url,
                     std::string("the server's HTTP address (default: $LABSWEEP_URL, else ") +
                         kDefaultServerUrl + ")");
}

int print_failure(const Status& status, std::ostream& err) {
  err << "labsweep: error: " << status.message() << "\n";
  return kExitFailed;
}

int with_api_client(const std::string& url_option, std::ostream& err,
                    const std::function<int(ApiClient&)>& body) {
  Result<std::optional<std::string>> token = client_token();
  if (!token) return print_failure(token.status(), err);
  Result<ApiClient> api = ApiClient::connect(server_url(url_option), std::move(*token));
  if (!api) return print_failure(api.status(), err);
  return body(*api);
}

Result<nlohmann::json> fetch_all_trials(ApiClient& api, int64_t sweep) {
  nlohmann::json trials = nlohmann::json::array();
  int64_t after = 0;
  for (;;) {
    Result<nlohmann::json> page = api.get("/sweeps/" + std::to_string(sweep) +
                                          "/trials?limit=10000&after=" + std::to_string(after));
    if (!page) return page.status();
    for (auto& trial : (*page)["trials"]) trials.push_back(std::move(trial));
    const nlohmann::json& next = (*page)["next_after"];
    if (!next.is_number_integer()) return trials;
    after = next.get<int64_t>();
  }
}

}  // namespace labsweep::cli
