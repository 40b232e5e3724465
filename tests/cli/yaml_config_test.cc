// Configuration files for `labsweep server` and `labsweep agent`: a YAML mapping of long option
// names to values, read into a subcommand's options; the command line wins; errors name
// file:line:column and the key.

#include "cli/yaml_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "tests/support/temp_dir.h"

namespace labsweep::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A command like `labsweep server`, with one option of every kind.
struct Command {
  CLI::App app{"test"};
  CLI::App* server = nullptr;
  std::string db;
  int http_port = 8080;
  bool curve = false;
  std::string gpus;
  std::vector<std::string> tags;
  bool keygen = false;

  explicit Command(const std::string& default_path = "/nonexistent/server.yaml") {
    server = app.add_subcommand("server");
    server->add_option("--db", db);
    server->add_option("--http-port", http_port)->check(CLI::Range(0, 65535));
    server->add_flag("--curve-on-loopback", curve);
    server->add_option("--gpus", gpus);
    server->add_option("--tag", tags);
    add_yaml_config(*server, default_path);
    server->add_subcommand("keygen")->callback([this] { keygen = true; });
  }

  // Parses `server ARGS...`; the ConfigError's message when it throws one.
  std::string parse(std::vector<std::string> args) {
    args.insert(args.begin(), {"labsweep", "server"});
    std::vector<const char*> argv;
    for (const std::string& arg : args) argv.push_back(arg.c_str());
    try {
      app.parse(static_cast<int>(argv.size()), argv.data());
    } catch (const CLI::ConfigError& e) {
      return e.what();
    }
    return "";
  }
};

class YamlConfigTest : public ::testing::Test {
 protected:
  // Parses `server --config FILE` where FILE holds `text`; the error, if any.
  std::string parse_file(Command& command, const std::string& text,
                         std::vector<std::string> more = {}) {
    std::string file = dir_.write("server.yaml", text);
    more.insert(more.begin(), {"--config", file});
    return command.parse(more);
  }
  std::string error_for(const std::string& text) {
    Command command;
    std::string error = parse_file(command, text);
    EXPECT_FALSE(error.empty()) << "no error for:\n" << text;
    // Errors start with the file's full path; the tests read them from its name on.
    std::string prefix = (dir_.path() / "").string();
    return error.rfind(prefix, 0) == 0 ? error.substr(prefix.size()) : error;
  }

  testing::TempDir dir_;
};

TEST_F(YamlConfigTest, SetsEveryKindOfOption) {
  Command command;
  EXPECT_EQ(parse_file(command,
                       "# the head node\n"
                       "db: /var/lib/labsweep/labsweep.db\n"
                       "http-port: 9090\n"
                       "curve-on-loopback: true\n"
                       "gpus: [0, 2]\n"
                       "tag: [a, 'b c']\n"),
            "");
  EXPECT_EQ(command.db, "/var/lib/labsweep/labsweep.db");
  EXPECT_EQ(command.http_port, 9090);
  EXPECT_TRUE(command.curve);
  EXPECT_EQ(command.gpus, "0,2");  // a list for a one-value option: comma-separated
  EXPECT_THAT(command.tags, ElementsAre("a", "b c"));
}

TEST_F(YamlConfigTest, FlagsTakeYamlBooleans) {
  for (const auto& [text, value] : std::vector<std::pair<std::string, bool>>{
           {"false", false}, {"no", false}, {"True", true}, {"yes", true}, {"on", true}}) {
    Command command;
    command.curve = !value;
    EXPECT_EQ(parse_file(command, "curve-on-loopback: " + text + "\n"), "") << text;
    EXPECT_EQ(command.curve, value) << text;
  }
}

TEST_F(YamlConfigTest, TheCommandLineWins) {
  Command command;
  EXPECT_EQ(parse_file(command, "http-port: 9090\ndb: file.db\n", {"--http-port", "7070"}), "");
  EXPECT_EQ(command.http_port, 7070);
  EXPECT_EQ(command.db, "file.db");
}

TEST_F(YamlConfigTest, AnEmptyFileOrOneOfCommentsSetsNothing) {
  for (const std::string text : {"", "# nothing yet\n# db: x.db\n"}) {
    Command command;
    EXPECT_EQ(parse_file(command, text), "");
    EXPECT_EQ(command.http_port, 8080);
  }
}

TEST_F(YamlConfigTest, TheDefaultFileIsReadOnlyWhenItExists) {
  Command absent(dir_.path() / "missing.yaml");
  EXPECT_EQ(absent.parse({}), "");
  EXPECT_EQ(absent.http_port, 8080);

  Command present(dir_.write("default.yaml", "http-port: 9191\n"));
  EXPECT_EQ(present.parse({}), "");
  EXPECT_EQ(present.http_port, 9191);
}

TEST_F(YamlConfigTest, AFileNamedOnTheCommandLineMustExist) {
  Command command;
  std::string missing = (dir_.path() / "missing.yaml").string();
  EXPECT_EQ(command.parse({"--config", missing}),
            missing + ": cannot read it: No such file or directory");
}

TEST_F(YamlConfigTest, NotReadForASubcommandOfTheCommand) {
  Command command;
  EXPECT_EQ(parse_file(command, "no-such-option: 1\n", {"keygen"}), "");
  EXPECT_TRUE(command.keygen);
}

TEST_F(YamlConfigTest, ErrorsNameTheFileLineColumnAndKey) {
  EXPECT_EQ(error_for("db: x.db\nhttp-prot: 80\n"),
            "server.yaml:2:12: unknown option 'http-prot' (did you mean 'http-port'?); the keys "
            "are `labsweep server` options without their dashes");
  EXPECT_EQ(error_for("--db: x.db\n"),
            "server.yaml:1:7: unknown option '--db'; the keys are `labsweep server` options "
            "without their dashes");
  EXPECT_EQ(error_for("curve-on-loopback: maybe\n"),
            "server.yaml:1:20: 'curve-on-loopback' is a flag: its value is true or false");
  EXPECT_EQ(error_for("curve-on-loopback: [true]\n"),
            "server.yaml:1:20: 'curve-on-loopback' is a flag: its value is true or false");
  EXPECT_EQ(error_for("http-port: eighty\n"),
            "server.yaml:1:12: 'http-port': --http-port: Value eighty not in range 0 to 65535");
  EXPECT_EQ(error_for("http-port: 99999\n"),
            "server.yaml:1:12: 'http-port': --http-port: Value 99999 not in range 0 to 65535");
  EXPECT_EQ(error_for("db:\n  path: x.db\n"),
            "server.yaml:2:3: 'db' holds a mapping, but options take a value or a list of values");
  EXPECT_EQ(error_for("tag: [a, [b]]\n"),
            "server.yaml:1:10: 'tag': a list may hold only plain values");
  EXPECT_EQ(error_for("db:\n"), "server.yaml:1:1: 'db' has no value");
  EXPECT_EQ(error_for("db: a.db\ndb: b.db\n"),
            "server.yaml:2:1: 'db' is set twice (first on line 1)");
  EXPECT_EQ(error_for("config: other.yaml\n"),
            "server.yaml:1:9: 'config' cannot be set in a configuration file");
  EXPECT_EQ(error_for("- db\n- x.db\n"),
            "server.yaml:1:1: expected a mapping of option names to values (`http-port: 8080`)");
  EXPECT_EQ(error_for("db: [x.db\n"),
            "server.yaml:2:1: not valid YAML: end of sequence flow not found");
  EXPECT_EQ(error_for("db: x.db\n\tport: 1\n"),
            "server.yaml:2:1: not valid YAML: illegal tab when looking for indentation");
}

TEST_F(YamlConfigTest, WritesWhatItReadsBack) {
  Command given;
  ASSERT_EQ(given.parse({"--db", "a b.db", "--http-port", "9", "--curve-on-loopback", "--tag", "x",
                         "--tag", "y: z"}),
            "");
  std::vector<YamlSetting> settings = given_settings(*given.server);
  std::string text = yaml_config_text(settings, "# written by a test\n");
  EXPECT_EQ(text,
            "# written by a test\n"
            "db: a b.db\n"
            "http-port: 9\n"
            "curve-on-loopback: true\n"
            "tag: [x, \"y: z\"]\n");
  EXPECT_EQ(YamlConfig().to_config(given.server, false, false, ""), yaml_config_text(settings, ""));

  Command read;
  ASSERT_EQ(parse_file(read, text), "");
  EXPECT_EQ(read.db, "a b.db");
  EXPECT_EQ(read.http_port, 9);
  EXPECT_TRUE(read.curve);
  EXPECT_THAT(read.tags, ElementsAre("x", "y: z"));
}

TEST(YamlConfigReaderTest, FromConfigGivesCli11Items) {
  std::istringstream in("http-port: 80\ngpus: [1, 3]\n");
  std::vector<CLI::ConfigItem> items = YamlConfig().from_config(in);
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].name, "http-port");
  EXPECT_THAT(items[0].inputs, ElementsAre("80"));
  EXPECT_EQ(items[1].name, "gpus");
  EXPECT_THAT(items[1].inputs, ElementsAre("1", "3"));
}

}  // namespace
}  // namespace labsweep::cli
