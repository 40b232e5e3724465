#include "protocol/msgpack_document.h"

#include <string>
#include <vector>

namespace labsweep::protocol {
namespace {

using nlohmann::json;

// A SAX consumer that builds the document itself: nlohmann's own builder recurses without a
// bound and reserves what array headers claim, both of which a hostile frame could abuse.
class BoundedBuilder {
 public:
  explicit BoundedBuilder(int max_depth) : max_depth_(max_depth) {}

  bool null() { return put(json(nullptr)); }
  bool boolean(bool v) { return put(json(v)); }
  bool number_integer(json::number_integer_t v) { return put(json(v)); }
  bool number_unsigned(json::number_unsigned_t v) { return put(json(v)); }
  bool number_float(json::number_float_t v, const std::string&) { return put(json(v)); }
  bool string(json::string_t& v) { return put(json(std::move(v))); }
  bool binary(json::binary_t& v) { return put(json::binary(std::move(v))); }
  bool start_object(std::size_t) { return open(json::object()); }
  bool key(json::string_t& k) {
    key_ = std::move(k);
    return true;
  }
  bool end_object() { return close(); }
  bool start_array(std::size_t) { return open(json::array()); }
  bool end_array() { return close(); }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e) {
    error_ = "malformed MessagePack at byte " + std::to_string(position) + ": " + e.what();
    return false;
  }

  const std::string& error() const { return error_; }
  json take() { return std::move(root_); }

 private:
  bool put(json v) {
    if (stack_.empty()) {
      root_ = std::move(v);
    } else if (stack_.back()->is_array()) {
      stack_.back()->push_back(std::move(v));
    } else {
      (*stack_.back())[key_] = std::move(v);
    }
    return true;
  }
  bool open(json container) {
    if (static_cast<int>(stack_.size()) >= max_depth_) {
      error_ = "MessagePack nested deeper than " + std::to_string(max_depth_) + " levels";
      return false;
    }
    json* slot;
    if (stack_.empty()) {
      root_ = std::move(container);
      slot = &root_;
    } else if (stack_.back()->is_array()) {
      stack_.back()->push_back(std::move(container));
      slot = &stack_.back()->back();
    } else {
      slot = &((*stack_.back())[key_] = std::move(container));
    }
    stack_.push_back(slot);
    return true;
  }
  bool close() {
    stack_.pop_back();
    return true;
  }

  int max_depth_;
  json root_;
  std::vector<json*> stack_;
  std::string key_;
  std::string error_;
};

}  // namespace

Result<nlohmann::json> parse_msgpack(std::string_view bytes, int max_depth) {
  if (bytes.empty()) return invalid_argument("empty frame");
  BoundedBuilder builder(max_depth);
  bool ok = false;
  try {
    ok = json::sax_parse(bytes.begin(), bytes.end(), &builder, json::input_format_t::msgpack,
                         /*strict=*/true);
  } catch (const std::exception& e) {  // allocation failures and the like: still a bad frame
    return invalid_argument(std::string("malformed MessagePack: ") + e.what());
  }
  if (!ok) {
    return invalid_argument(builder.error().empty() ? "malformed MessagePack" : builder.error());
  }
  return builder.take();
}

}  // namespace labsweep::protocol
