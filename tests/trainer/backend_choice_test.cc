// --device: which backend is made, and what the user is told, with and without a usable GPU.

#include "trainer/backend_choice.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/trainer/fake_backend.h"

namespace labsweep::trainer {
namespace {

using testing::FakeBackend;

struct Calls {
  int cpu_threads = -1;
  int cuda_calls = 0;
  bool tf32 = false;
};

BackendFactories fakes(Calls& calls, bool with_cuda, bool gpu_usable) {
  BackendFactories f;
  f.cpu = [&calls](const ModelConfig&, const OptimizerConfig&, int threads) {
    calls.cpu_threads = threads;
    return std::make_unique<FakeBackend>("cpu (fake)");
  };
  if (!with_cuda) return f;
  f.cuda = [&calls, gpu_usable](const ModelConfig&, const OptimizerConfig&,
                                bool tf32) -> Result<std::unique_ptr<Backend>> {
    ++calls.cuda_calls;
    calls.tf32 = tf32;
    if (!gpu_usable) {
      return invalid_argument(
          "no CUDA device: cudaGetDeviceCount: no CUDA-capable device is detected");
    }
    return std::unique_ptr<Backend>(std::make_unique<FakeBackend>("cuda (fake GPU)"));
  };
  return f;
}

TrainFlags on(DeviceChoice device, int threads = 3) {
  TrainFlags flags;
  flags.device = device;
  flags.threads = threads;
  flags.tf32 = true;
  return flags;
}

TEST(BackendChoiceTest, CpuIsTakenWithoutAskingForAGpu) {
  Calls calls;
  Result<ChosenBackend> chosen = choose_backend(on(DeviceChoice::kCpu), fakes(calls, true, true));
  ASSERT_TRUE(chosen.is_ok());
  EXPECT_EQ(chosen->note, "device: cpu (fake)");
  EXPECT_EQ(calls.cpu_threads, 3);
  EXPECT_EQ(calls.cuda_calls, 0);
}

TEST(BackendChoiceTest, ZeroThreadsMeansEveryHardwareThread) {
  Calls calls;
  ASSERT_TRUE(choose_backend(on(DeviceChoice::kCpu, 0), fakes(calls, false, false)).is_ok());
  EXPECT_GE(calls.cpu_threads, 1);
}

TEST(BackendChoiceTest, AutoTakesAUsableGpuAndSaysSo) {
  Calls calls;
  Result<ChosenBackend> chosen = choose_backend(on(DeviceChoice::kAuto), fakes(calls, true, true));
  ASSERT_TRUE(chosen.is_ok());
  EXPECT_EQ(chosen->note, "device: cuda (fake GPU) (auto: a GPU is usable)");
  EXPECT_TRUE(calls.tf32);
  EXPECT_EQ(calls.cpu_threads, -1);
}

TEST(BackendChoiceTest, AutoFallsBackToTheCpuAndSaysWhy) {
  Calls calls;
  Result<ChosenBackend> chosen = choose_backend(on(DeviceChoice::kAuto), fakes(calls, true, false));
  ASSERT_TRUE(chosen.is_ok());
  EXPECT_EQ(chosen->note,
            "device: cpu (fake) (auto: no CUDA device: cudaGetDeviceCount: no CUDA-capable device "
            "is detected)");
  Result<ChosenBackend> built_without =
      choose_backend(on(DeviceChoice::kAuto), fakes(calls, false, false));
  ASSERT_TRUE(built_without.is_ok());
  EXPECT_EQ(built_without->note, "device: cpu (fake) (auto: built without CUDA)");
}

TEST(BackendChoiceTest, CudaWithoutAUsableGpuIsAnError) {
  Calls calls;
  Result<ChosenBackend> no_gpu = choose_backend(on(DeviceChoice::kCuda), fakes(calls, true, false));
  ASSERT_FALSE(no_gpu.is_ok());
  EXPECT_EQ(no_gpu.status().message(),
            "--device=cuda: no CUDA device: cudaGetDeviceCount: no CUDA-capable device is "
            "detected");
  Result<ChosenBackend> not_built =
      choose_backend(on(DeviceChoice::kCuda), fakes(calls, false, false));
  ASSERT_FALSE(not_built.is_ok());
  EXPECT_EQ(not_built.status().message(),
            "--device=cuda: this labsweep-train was built without the CUDA backend (no nvcc at "
            "build time); use --device=cpu or auto");
  EXPECT_EQ(calls.cpu_threads, -1);
  Result<ChosenBackend> gpu = choose_backend(on(DeviceChoice::kCuda), fakes(calls, true, true));
  ASSERT_TRUE(gpu.is_ok());
  EXPECT_EQ(gpu->note, "device: cuda (fake GPU)");
}

}  // namespace
}  // namespace labsweep::trainer
