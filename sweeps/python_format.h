#pragma once

// Python 3's text forms of a sweep value, reproduced byte for byte: W&B's agent renders
// hyperparameters into command lines with str() and json.dumps() on what yaml.safe_load
// returned, and a labsweep trial must see the same arguments. Pure functions, thread-safe.

#include <string>

#include "sweeps/value.h"

namespace labsweep::sweeps {

// repr(float): the shortest digits that round-trip, laid out as Python does (`3.0`, `0.0001`,
// `1e-05`, `1e+16`, `nan`, `inf`, `-0.0`). str(float) is the same in Python 3.
std::string python_float_repr(double x);

// str(obj): None, True, 42, 2.5, strings unquoted; inside lists and dicts, elements are repr()'d
// (`[1, 'a', None]`, `{'lr': 0.1}`), dicts in insertion order.
std::string python_str(const Value& v);

// repr(obj): as python_str, except that strings are quoted and escaped as Python's repr does.
// Python's str.isprintable is approximated for non-ASCII by a short table of separators, format
// characters and private-use code points (see python_format.cc).
std::string python_repr(const Value& v);

// json.dumps(obj) with default arguments: ", " and ": " separators, ensure_ascii (non-ASCII as
// lower-case \uXXXX, surrogate pairs above the BMP), NaN/Infinity/-Infinity for non-finite
// floats, dicts in insertion order.
std::string python_json_dumps(const Value& v);

}  // namespace labsweep::sweeps
