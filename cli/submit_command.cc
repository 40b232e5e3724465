#include "cli/submit_command.h"

#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "cli/api_command.h"
#include "sweeps/diagnostic.h"
#include "sweeps/sweep_reader.h"

namespace labsweep::cli {
namespace {

struct SubmitOptions {
  std::string file;
  std::string name;
  std::string url;
};

void print_diagnostics(const SubmitOptions& o, const std::string& text,
                       const std::vector<sweeps::Diagnostic>& diagnostics, std::ostream& err) {
  bool terminal = isatty(STDERR_FILENO) != 0;
  for (const auto& d : diagnostics) {
    err << (terminal ? sweeps::format_diagnostic_with_source(o.file, text, d)
                     : sweeps::format_diagnostic(o.file, d))
        << '\n';
  }
}

// The server checks the file again; its diagnostics carry their own text.
void print_server_diagnostics(const nlohmann::json& body, std::ostream& err) {
  if (!body.is_object() || !body.contains("diagnostics")) return;
  for (const auto& d : body["diagnostics"]) {
    if (d.contains("text") && d["text"].is_string()) err << d["text"].get<std::string>() << '\n';
  }
}

nlohmann::json request_body(const SubmitOptions& o, const std::string& text) {
  std::filesystem::path file = std::filesystem::absolute(o.file);
  nlohmann::json body = {{"spec", text},
                         {"file_name", file.filename().string()},
                         {"directory", file.parent_path().string()}};
  if (!o.name.empty()) body["name"] = o.name;
  return body;
}

int submit(const SubmitOptions& o, std::ostream& out, std::ostream& err) {
  std::string text;
  sweeps::ReadResult local = sweeps::read_sweep_file(o.file, &text);
  print_diagnostics(o, text, local.diagnostics.all(), err);
  if (!local.spec) return kExitInvalid;
  return with_api_client(o.url, err, [&](ApiClient& api) {
    Result<nlohmann::json> created = api.post("/sweeps", request_body(o, text));
    if (!created) {
      print_server_diagnostics(api.last_error_body(), err);
      return print_failure(created.status(), err);
    }
    int64_t id = (*created)["id"].get<int64_t>();
    out << "submitted sweep " << id << " from " << o.file << "\n"
        << "  watch it:  labsweep show " << id << "\n"
        << "  stop it:   labsweep stop " << id << "\n";
    return kExitOk;
  });
}

}  // namespace

void add_submit_command(CLI::App& app, std::function<int()>& action) {
  auto options = std::make_shared<SubmitOptions>();
  CLI::App* cmd = app.add_subcommand("submit", "Start a sweep on a running server");
  cmd->add_option("file", options->file, "The sweep file (YAML)")->required();
  cmd->add_option("--name", options->name, "The sweep's name (default: the file's name:)");
  add_url_option(*cmd, options->url);
  cmd->callback([options, &action] {
    action = [options] { return submit(*options, std::cout, std::cerr); };
  });
}

}  // namespace labsweep::cli
