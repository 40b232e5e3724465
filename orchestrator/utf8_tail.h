#pragma once

// Where a chunk of output may be cut so that no UTF-8 character is split: output arrives in
// pieces cut by byte count, and a reader that turned each half of a character into U+FFFD would
// garble text that is fine.

#include <string_view>

namespace labsweep::orchestrator {

// `text` less the start of a UTF-8 character at its very end whose other bytes have not come
// yet (at most 3 bytes). Bytes that can never be UTF-8 are left for the JSON writer to replace.
std::string_view without_partial_character(std::string_view text);

}  // namespace labsweep::orchestrator
