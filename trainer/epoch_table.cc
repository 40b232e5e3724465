#include "trainer/epoch_table.h"

#include <cstdio>
#include <string>

namespace labsweep::trainer {
namespace {

template <typename... Args>
std::string format(const char* pattern, Args... args) {
  char line[256];
  std::snprintf(line, sizeof line, pattern, args...);
  return line;
}

}  // namespace

void EpochTable::on_epoch(const EpochReport& r) {
  if (!header_written_) {
    out_ << "epoch  train_loss  val_loss  val_accuracy        lr  epoch_time_s  samples_per_s\n";
    header_written_ = true;
  }
  std::string validation = r.validation ? format("%8.4f  %11.2f%%", r.validation->mean_loss,
                                                 100.0 * r.validation->accuracy)
                                        : std::string("       -             -");
  out_ << format("%5d  %10.4f  %s  %8.2e  %12.2f  %13.0f", r.epoch, r.train_loss,
                 validation.c_str(), static_cast<double>(r.last_lr), r.epoch_time_s,
                 r.samples_per_s);
  if (!r.validation) out_ << "  (stopped after " << r.samples << " samples)";
  out_ << std::endl;
}

void EpochTable::on_finish(const FinalReport& r) {
  if (r.test) {
    out_ << format("test: loss %.4f, accuracy %.2f%% (%lld rows) after %d epochs",
                   r.test->mean_loss, 100.0 * r.test->accuracy,
                   static_cast<long long>(r.test->rows), r.epochs_completed)
         << std::endl;
  } else {
    out_ << "stopped after " << r.epochs_completed << " complete epochs; no test evaluation"
         << std::endl;
  }
}

}  // namespace labsweep::trainer
