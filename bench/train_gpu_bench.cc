// bench-train-gpu: the CUDA backend's overhead over its own GEMMs (docs/benchmarks.md,
// "bench-train-gpu"). For each configuration, one epoch of labsweep-train's CUDA backend on
// synthetic data of Fashion-MNIST's shape (54,000 training rows: 60,000 less the 10% validation
// split) against the same epoch's GEMMs alone through cuBLAS: the same shapes, calls and math mode,
// on buffers of the same sizes, in the same run. Times are CUDA events; each is the median of
// --repeats epochs after one warm-up epoch (which captures the backend's graph).
//
// Figures per configuration: epoch_ms (cuBLASLt epilogues on, the default), epoch_kernels_ms
// (epilogues off: bias, activation and bias gradient in kernels), gemm_graph_ms (the GEMMs alone
// replayed from a CUDA graph, as the epoch's batches are: the honest peer), gemm_ms (the same GEMMs
// launched one after another, which launch costs inflate), epoch_over_gemm = epoch_ms /
// gemm_graph_ms, epoch_over_gemm_plain = epoch_ms / gemm_ms, kernels_over_gemm =
// epoch_kernels_ms / gemm_graph_ms; gemm_in_training_tflops (each GEMM timed by events inside a
// training epoch, epilogues on) and gemm_alone_tflops (each timed the same way alone),
// gemm_efficiency = their ratio.
//
// Last line: {"bench": "train-gpu", "epoch_over_gemm": <default config>, "gemm_efficiency":
//             <wide config>, "configs": [...]}; without a usable GPU it says why and ends with
//             {"bench": "train-gpu", "skipped": true}, exit code 0.

#include <cuda_runtime_api.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <numeric>
#include <string>
#include <vector>

#include "trainer/counter_rng.h"
#include "trainer/cuda_backend.h"
#include "trainer/cuda_blas.h"
#include "trainer/cuda_buffer.h"
#include "trainer/cuda_check.h"

namespace {

using labsweep::trainer::CublasHandle;
using labsweep::trainer::cuda_check;
using labsweep::trainer::CudaBackend;
using labsweep::trainer::CudaOptions;
using labsweep::trainer::Dataset;
using labsweep::trainer::DeviceBuffer;
using labsweep::trainer::EpochPlan;
using labsweep::trainer::MathMode;
using labsweep::trainer::ModelConfig;
using labsweep::trainer::OptimizerConfig;

struct Config {
  std::string name;
  std::vector<int> hidden;
  int batch = 128;
  bool tf32 = false;
};

struct Figures {
  double epoch_ms = 0, epoch_kernels_ms = 0, gemm_ms = 0, gemm_graph_ms = 0;
  double flops = 0, in_training_ms = 0, alone_pairs_ms = 0;
  double epoch_over_gemm() const { return epoch_ms / gemm_graph_ms; }
  double epoch_over_gemm_plain() const { return epoch_ms / gemm_ms; }
  double kernels_over_gemm() const { return epoch_kernels_ms / gemm_graph_ms; }
  double gemm_efficiency() const { return alone_pairs_ms / in_training_ms; }
  double tflops(double ms) const { return flops / (ms * 1e9); }
};

[[noreturn]] void die(const std::string& message) {
  std::fprintf(stderr, "bench-train-gpu: %s\n", message.c_str());
  std::exit(1);
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

Dataset synthetic(int rows, int features, int classes) {
  Dataset data{rows, features, classes, {}, {}};
  data.x.resize(static_cast<size_t>(rows) * features);
  for (size_t i = 0; i < data.x.size(); ++i) {
    data.x[i] = labsweep::trainer::counter_uniform(1, 1, i);
  }
  for (int r = 0; r < rows; ++r) {
    data.y.push_back(static_cast<int32_t>(labsweep::trainer::counter_bits(1, 2, r) % classes));
  }
  return data;
}

// Milliseconds between two events around `work` on the legacy default stream, which orders with
// the backend's (blocking) stream.
template <typename Work>
double event_ms(Work&& work, cudaStream_t stream = nullptr) {
  cudaEvent_t start, stop;
  cuda_check(cudaEventCreate(&start), "cudaEventCreate");
  cuda_check(cudaEventCreate(&stop), "cudaEventCreate");
  cuda_check(cudaEventRecord(start, stream), "cudaEventRecord");
  work();
  cuda_check(cudaEventRecord(stop, stream), "cudaEventRecord");
  cuda_check(cudaEventSynchronize(stop), "cudaEventSynchronize");
  float ms = 0;
  cuda_check(cudaEventElapsedTime(&ms, start, stop), "cudaEventElapsedTime");
  cudaEventDestroy(start);
  cudaEventDestroy(stop);
  return ms;
}

// The GEMMs of one epoch alone: every batch's forward, weight-gradient and input-gradient GEMMs
// of every layer, in training's order, on scratch buffers of training's sizes.
class GemmsAlone {
 public:
  GemmsAlone(const ModelConfig& model, int rows, int batch, MathMode mode)
      : model_(model), rows_(rows), batch_(batch) {
    cuda_check(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking), "cudaStreamCreate");
    auto blas = CublasHandle::create(stream_, mode);
    if (!blas.is_ok()) die(blas.status().message());
    blas_ = std::make_unique<CublasHandle>(std::move(blas).value());
    int widest = model.inputs;
    for (int l = 0; l < model.layers(); ++l) widest = std::max(widest, model.layer_outputs(l));
    for (auto* buffer : {&a_, &b_, &c_}) buffer->reserve(static_cast<size_t>(batch) * widest);
    int64_t weights = 0;
    for (int l = 0; l < model.layers(); ++l) {
      weights = std::max<int64_t>(weights, int64_t{model.layer_inputs(l)} * model.layer_outputs(l));
    }
    w_.reserve(weights);
    dw_.reserve(weights);
    // Random values, not zeros: tensor cores run measurably faster on zeros.
    for (auto* buffer : {&a_, &b_, &c_, &w_, &dw_}) {
      std::vector<float> values(buffer->size());
      for (size_t i = 0; i < values.size(); ++i) {
        values[i] = labsweep::trainer::counter_uniform(3, 3, i) - 0.5f;
      }
      cuda_check(cudaMemcpy(buffer->data(), values.data(), values.size() * sizeof(float),
                            cudaMemcpyHostToDevice),
                 "cudaMemcpy");
    }
  }
  ~GemmsAlone() {
    if (graph_ != nullptr) cudaGraphExecDestroy(graph_);
    blas_.reset();
    cudaStreamDestroy(stream_);
  }

  double flops() const {
    double total = 0;
    for (int l = 0; l < model_.layers(); ++l) {
      total += 2.0 * rows_ * model_.layer_inputs(l) * model_.layer_outputs(l) * (l > 0 ? 3 : 2);
    }
    return total;
  }
  double epoch_ms() {
    return event_ms([&] { for_each_batch([&](int rows) { batch_gemms(rows); }); }, stream_);
  }
  double epoch_graph_ms();
  double epoch_pairs_ms();

 private:
  template <typename Batch>
  void for_each_batch(Batch&& batch) {
    for (int begin = 0; begin < rows_; begin += batch_) batch(std::min(batch_, rows_ - begin));
  }
  void batch_gemms(int rows, std::vector<cudaEvent_t>* marks = nullptr);

  ModelConfig model_;
  int rows_, batch_;
  cudaStream_t stream_ = nullptr;
  std::unique_ptr<CublasHandle> blas_;
  DeviceBuffer<float> a_, b_, c_, w_, dw_;
  cudaGraphExec_t graph_ = nullptr;
};

void GemmsAlone::batch_gemms(int rows, std::vector<cudaEvent_t>* marks) {
  auto mark = [&] {
    if (marks == nullptr) return;
    cudaEvent_t event;
    cuda_check(cudaEventCreate(&event), "cudaEventCreate");
    cuda_check(cudaEventRecord(event, stream_), "cudaEventRecord");
    marks->push_back(event);
  };
  const int layers = model_.layers();
  for (int l = 0; l < layers; ++l) {
    mark();
    gemm_linear_forward(*blas_, a_.data(), w_.data(), rows, model_.layer_inputs(l),
                        model_.layer_outputs(l), b_.data());
    mark();
  }
  for (int l = layers - 1; l >= 0; --l) {
    int in = model_.layer_inputs(l), out = model_.layer_outputs(l);
    mark();
    gemm_linear_weight_grad(*blas_, b_.data(), a_.data(), rows, in, out, dw_.data());
    mark();
    if (l == 0) continue;
    mark();
    gemm_linear_input_grad(*blas_, b_.data(), w_.data(), rows, in, out, c_.data());
    mark();
  }
}

double GemmsAlone::epoch_graph_ms() {
  if (graph_ == nullptr) {
    cudaGraph_t graph;
    cuda_check(cudaStreamBeginCapture(stream_, cudaStreamCaptureModeThreadLocal), "capture");
    batch_gemms(batch_);
    cuda_check(cudaStreamEndCapture(stream_, &graph), "cudaStreamEndCapture");
    cuda_check(cudaGraphInstantiate(&graph_, graph, 0), "cudaGraphInstantiate");
    cudaGraphDestroy(graph);
  }
  return event_ms(
      [&] {
        for_each_batch([&](int rows) {
          if (rows == batch_) {
            cuda_check(cudaGraphLaunch(graph_, stream_), "cudaGraphLaunch");
          } else {
            batch_gemms(rows);
          }
        });
      },
      stream_);
}

// The sum of every GEMM's own time, each between two events, as the backend times them.
double GemmsAlone::epoch_pairs_ms() {
  std::vector<cudaEvent_t> marks;
  for_each_batch([&](int rows) { batch_gemms(rows, &marks); });
  cuda_check(cudaStreamSynchronize(stream_), "cudaStreamSynchronize");
  double total = 0;
  for (size_t i = 0; i + 1 < marks.size(); i += 2) {
    float ms = 0;
    cuda_check(cudaEventElapsedTime(&ms, marks[i], marks[i + 1]), "cudaEventElapsedTime");
    total += ms;
  }
  for (cudaEvent_t event : marks) cudaEventDestroy(event);
  return total;
}

std::unique_ptr<CudaBackend> backend_for(const ModelConfig& model, const Config& config,
                                         bool time_gemms, bool epilogues, const Dataset& data) {
  CudaOptions options;
  options.tf32 = config.tf32;
  options.time_gemms = time_gemms;
  options.epilogues = epilogues;
  OptimizerConfig optimizer;  // AdamW, the trainer's default
  auto backend = make_cuda_backend_with(model, optimizer, options);
  if (!backend.is_ok()) die(backend.status().message());
  (*backend)->set_data(data, Dataset{}, Dataset{});
  return std::move(backend).value();
}

Figures measure(const Config& config, const Dataset& data, int repeats) {
  ModelConfig model;
  model.hidden = config.hidden;
  model.dropout = 0.1f;  // dropout on: its masks are part of the trainer's work
  std::vector<int32_t> order(data.rows);
  std::iota(order.begin(), order.end(), 0);
  std::vector<float> rates((data.rows + config.batch - 1) / config.batch, 1e-4f);
  EpochPlan plan{0, 1, order, config.batch, false, rates};
  std::atomic<bool> stop{false};
  Figures f;
  for (bool epilogues : {true, false}) {
    auto backend = backend_for(model, config, false, epilogues, data);
    backend->train_epoch(plan, stop);  // warm-up: allocations and the graph's capture
    std::vector<double> epochs;
    for (int i = 0; i < repeats; ++i) {
      plan.epoch = i + 1;
      epochs.push_back(event_ms([&] { backend->train_epoch(plan, stop); }));
    }
    (epilogues ? f.epoch_ms : f.epoch_kernels_ms) = median(epochs);
  }
  {
    auto timed = backend_for(model, config, true, true, data);
    timed->train_epoch(plan, stop);
    std::vector<double> inside;
    for (int i = 0; i < repeats; ++i) {
      timed->train_epoch(plan, stop);
      inside.push_back(timed->last_epoch_gemm_ms());
    }
    f.in_training_ms = median(inside);
  }
  GemmsAlone alone(model, data.rows, config.batch,
                   config.tf32 ? MathMode::kTf32 : MathMode::kFloat32);
  f.flops = alone.flops();
  alone.epoch_ms();
  alone.epoch_graph_ms();
  std::vector<double> plain, graph, pairs;
  for (int i = 0; i < repeats; ++i) {
    plain.push_back(alone.epoch_ms());
    graph.push_back(alone.epoch_graph_ms());
    pairs.push_back(alone.epoch_pairs_ms());
  }
  f.gemm_ms = median(plain);
  f.gemm_graph_ms = median(graph);
  f.alone_pairs_ms = median(pairs);
  return f;
}

std::string shape(const Config& c) {
  std::string s = "784";
  for (int h : c.hidden) s += "-" + std::to_string(h);
  return s + "-10, batch " + std::to_string(c.batch) + (c.tf32 ? ", TF32" : ", FP32");
}

}  // namespace

int main(int argc, char** argv) {
  int rows = 54000, repeats = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--rows") == 0) rows = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--repeats") == 0) repeats = std::atoi(argv[i + 1]);
  }
  if (rows <= 0 || repeats <= 0) die("--rows and --repeats must be positive");
  // `make bench` runs every benchmark built: where no GPU is usable this one says so and passes.
  if (auto probe = labsweep::trainer::make_cuda_backend(ModelConfig{}, OptimizerConfig{}, false);
      !probe.is_ok()) {
    std::printf("bench-train-gpu: skipped: %s\n", probe.status().message().c_str());
    std::printf("{\"bench\": \"train-gpu\", \"skipped\": true}\n");
    return 0;
  }
  const std::vector<Config> configs = {
      {"default", {256, 256}, 128, false},        {"default-tf32", {256, 256}, 128, true},
      {"default-b1024", {256, 256}, 1024, false}, {"wide", {4096, 4096}, 1024, false},
      {"wide-tf32", {4096, 4096}, 1024, true},
  };
  Dataset data = synthetic(rows, 784, 10);
  std::printf("bench-train-gpu: one epoch of %d rows, median of %d, CUDA events\n\n", rows,
              repeats);
  std::printf("  %-14s %-34s %9s %9s %9s %9s %8s %8s %8s %10s %10s %6s\n", "config", "shape",
              "epoch ms", "kernels", "graph ms", "gemm ms", "ep/graph", "kn/graph", "ep/gemm",
              "in-train", "alone", "eff");
  std::string json = "{\"bench\": \"train-gpu\"";
  std::string list;
  for (const Config& c : configs) {
    Figures f = measure(c, data, repeats);
    std::printf("  %-14s %-34s %9.3f %9.3f %9.3f %9.3f %8.3f %8.3f %8.3f %7.1f TF %7.1f TF %6.3f\n",
                c.name.c_str(), shape(c).c_str(), f.epoch_ms, f.epoch_kernels_ms, f.gemm_graph_ms,
                f.gemm_ms, f.epoch_over_gemm(), f.kernels_over_gemm(), f.epoch_over_gemm_plain(),
                f.tflops(f.in_training_ms), f.tflops(f.alone_pairs_ms), f.gemm_efficiency());
    std::fflush(stdout);
    char item[768];
    std::snprintf(item, sizeof item,
                  "%s{\"name\": \"%s\", \"epoch_ms\": %.4f, \"epoch_kernels_ms\": %.4f, "
                  "\"gemm_graph_ms\": %.4f, \"gemm_ms\": %.4f, \"epoch_over_gemm\": %.4f, "
                  "\"kernels_over_gemm\": %.4f, \"epoch_over_gemm_plain\": %.4f, "
                  "\"gemm_in_training_tflops\": %.2f, \"gemm_alone_tflops\": %.2f, "
                  "\"gemm_efficiency\": %.4f}",
                  list.empty() ? "" : ", ", c.name.c_str(), f.epoch_ms, f.epoch_kernels_ms,
                  f.gemm_graph_ms, f.gemm_ms, f.epoch_over_gemm(), f.kernels_over_gemm(),
                  f.epoch_over_gemm_plain(), f.tflops(f.in_training_ms), f.tflops(f.alone_pairs_ms),
                  f.gemm_efficiency());
    list += item;
    char head[160];
    if (c.name == "default") {
      std::snprintf(head, sizeof head, ", \"epoch_over_gemm\": %.4f", f.epoch_over_gemm());
      json += head;
    }
    if (c.name == "wide-tf32") {
      std::snprintf(head, sizeof head, ", \"gemm_efficiency\": %.4f", f.gemm_efficiency());
      json += head;
    }
  }
  std::printf(
      "\n  epoch: epilogues on; kernels: epilogues off; ep/graph, kn/graph: each over its GEMMs\n"
      "  alone replayed as a graph (the headline); ep/gemm: over them launched plainly;\n"
      "  eff: GEMM TFLOP/s in training / alone\n");
  std::printf("%s, \"configs\": [%s]}\n", json.c_str(), list.c_str());
  return 0;
}
