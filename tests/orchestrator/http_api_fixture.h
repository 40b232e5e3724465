#pragma once

// What the HTTP API's tests share: a real store (writer and readers) on a temporary SQLite file,
// filled through the writer; a fake SweepControl that records what it is asked; the API
// started on 127.0.0.1 at a port the OS chose; and a real httplib client.

#include <gtest/gtest.h>
#include <httplib.h>

#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/mutex.h"
#include "orchestrator/http_api.h"
#include "orchestrator/sweep_control.h"
#include "store/store_writer.h"
#include "store/write_ops.h"
#include "sweeps/sweep_reader.h"
#include "tests/support/temp_dir.h"

namespace labsweep::orchestrator::testing {

using nlohmann::json;

// A grid of 3 x 2 = 6 trials that minimises `loss`.
inline constexpr std::string_view kGridSpec = R"(method: grid
program: train.py
metric:
  name: loss
  goal: minimize
parameters:
  lr:
    values: [0.1, 0.01, 0.001]
  batch:
    values: [16, 32]
)";

// Records every call; answers with what the test set. submit_sweep reads the file for real and
// records an accepted sweep through the store's writer, as the orchestrator does.
class FakeSweepControl final : public SweepControl {
 public:
  explicit FakeSweepControl(store::StoreWriter& writer) : writer_(writer) {}

  Result<SubmitResult> submit_sweep(SweepSubmission submission) override {
    MutexLock lock(mu_);
    submissions.push_back(submission);
    const auto& [text, file_name, name, directory] = submission;
    sweeps::ReadResult read = sweeps::read_sweep(text);
    SubmitResult result{.diagnostics = read.diagnostics.all()};
    if (!read.spec) return result;
    Result<store::SweepId> id =
        writer_
            .submit(store::CreateSweep{.name = name.value_or(read.spec->name),
                                       .method = "grid",
                                       .spec_text = text,
                                       .seed = 1,
                                       .created_ms = 1000})
            .get();
    if (!id) return id.status();
    result.sweep = *id;
    return result;
  }
  Status stop_sweep(store::SweepId sweep) override {
    MutexLock lock(mu_);
    stopped_sweeps.push_back(sweep.value);
    return answer;
  }
  Status resume_sweep(store::SweepId sweep) override {
    MutexLock lock(mu_);
    resumed_sweeps.push_back(sweep.value);
    return answer;
  }
  Status stop_trial(store::TrialId trial) override {
    MutexLock lock(mu_);
    stopped_trials.push_back(trial.value);
    return answer;
  }
  std::vector<LiveAgent> agents() override {
    MutexLock lock(mu_);
    return live_agents;
  }

  // Read and set by the test while no request is in flight.
  std::vector<SweepSubmission> submissions;
  std::vector<int64_t> stopped_sweeps, resumed_sweeps, stopped_trials;
  Status answer;  // what stop and resume return
  std::vector<LiveAgent> live_agents;

 private:
  store::StoreWriter& writer_;
  Mutex mu_;
};

// A response, its body parsed (null when it is not JSON).
struct Reply {
  int status = 0;
  json body;
  httplib::Headers headers;
  std::string raw;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

class HttpApiTest : public ::testing::Test {
 protected:
  void SetUp() override { start_api({}); }

  void start_api(HttpApiOptions options) {
    api_.reset();
    if (!writer_) {
      auto writer = store::StoreWriter::open(dir_.path() / "labsweep.db");
      ASSERT_TRUE(writer.is_ok()) << writer.status().message();
      writer_ = std::move(*writer);
      control_ = std::make_unique<FakeSweepControl>(*writer_);
    }
    api_ = std::make_unique<HttpApi>(dir_.path() / "labsweep.db", *control_, std::move(options));
    Result<int> port = api_->start("127.0.0.1", 0);
    ASSERT_TRUE(port.is_ok()) << port.status().message();
    port_ = *port;
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
  }

  void TearDown() override {
    client_.reset();  // its keep-alive connection would hold a server thread
    api_.reset();
  }

  static Reply reply_of(const httplib::Result& result) {
    Reply reply;
    if (!result) {
      ADD_FAILURE() << "no response: " << httplib::to_string(result.error());
      return reply;
    }
    reply.status = result->status;
    reply.headers = result->headers;
    reply.raw = result->body;
    reply.body = json::parse(result->body, nullptr, /*allow_exceptions=*/false);
    if (reply.body.is_discarded()) reply.body = nullptr;
    return reply;
  }

  Reply get(const std::string& path, httplib::Headers headers = {}) {
    return reply_of(client_->Get(path.c_str(), headers));
  }
  Reply post(const std::string& path, const std::string& body,
             const std::string& content_type = "application/json", httplib::Headers headers = {}) {
    return reply_of(client_->Post(path.c_str(), headers, body, content_type.c_str()));
  }

  // Writes through the store's writer and waits for the commit.
  template <typename Op>
  auto write(Op op) {
    auto outcome = writer_->submit(std::move(op)).get();
    EXPECT_TRUE(outcome.is_ok());
    if constexpr (std::is_same_v<decltype(outcome), Status>) {
      return;
    } else {
      return outcome.value();
    }
  }

  store::SweepId add_sweep(std::string_view spec = kGridSpec, std::string name = "grid") {
    return write(store::CreateSweep{.name = std::move(name),
                                    .method = "grid",
                                    .spec_text = std::string(spec),
                                    .seed = 7,
                                    .created_ms = 1000});
  }
  store::TrialId add_trial(store::SweepId sweep, int64_t index, std::string params = "{}") {
    return write(store::AddTrial{.sweep = sweep,
                                 .suggestion_index = index,
                                 .params_json = std::move(params),
                                 .created_ms = 2000 + index});
  }
  void add_points(store::TrialId trial, const std::string& key,
                  const std::vector<std::pair<int64_t, double>>& points) {
    store::AddMetricPoints op;
    for (auto [step, value] : points) {
      op.points.push_back(
          {.trial = trial, .key = key, .step = step, .value = value, .time_ms = 5000 + step});
    }
    write(std::move(op));
  }

  labsweep::testing::TempDir dir_;
  std::unique_ptr<store::StoreWriter> writer_;
  std::unique_ptr<FakeSweepControl> control_;
  std::unique_ptr<HttpApi> api_;
  int port_ = 0;
  std::unique_ptr<httplib::Client> client_;
};

}  // namespace labsweep::orchestrator::testing
