#pragma once

// Reads and validates a whole sweep file: W&B's format (reference §1-§4) plus the `labsweep:`
// block. Every problem is reported at once, each with its place.

#include <optional>
#include <string>
#include <string_view>

#include "sweeps/diagnostic.h"
#include "sweeps/sweep_spec.h"

namespace labsweep::sweeps {

struct ReadResult {
  std::optional<SweepSpec> spec;  // present exactly when there is no error
  Diagnostics diagnostics;        // errors and warnings, in file order per section
};

// Reads sweep-file text (the file's name is only for messages, which the caller formats).
ReadResult read_sweep(std::string_view text);

// Reads the sweep file at `path`; an unreadable file is one error ("Couldn't open sweep file").
ReadResult read_sweep_file(const std::string& path, std::string* text_out = nullptr);

}  // namespace labsweep::sweeps
