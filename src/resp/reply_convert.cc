// The reply tree's conversions that go through the visitor walk (Replay)
// and the builders of reader.h. They live in respfuzz_resp, beside the
// reader, so respfuzz_resp_values (what the reference models link) holds no
// reference to the reader's code.
#include <string>
#include <utility>
#include <vector>

#include "src/resp/reader.h"
#include "src/resp/reply.h"

namespace respfuzz::resp {

namespace {

// What a reply cannot hold, or "".
std::string_view Unrepresentable(const Value& root) {
  std::vector<const Value*> work{&root};
  while (!work.empty()) {
    const Value* v = work.back();
    work.pop_back();
    if (v->type == Type::kAttribute) return "a value of type attribute";
    if (!v->has_attributes && !v->attributes.empty()) return "attributes without has_attributes";
    for (const Value& e : v->elems) work.push_back(&e);
    for (const Value& e : v->attributes) work.push_back(&e);
  }
  return {};
}

}  // namespace

absl::Status ReplyTree::Append(const Value& v) {
  if (building()) return absl::FailedPreconditionError("a value is being built in this tree");
  if (std::string_view why = Unrepresentable(v); !why.empty()) {
    return absl::InvalidArgumentError("a reply cannot hold " + std::string(why));
  }
  ReplyBuilder builder(this);
  Replay(v, builder);
  return absl::OkStatus();
}

Value ToValue(ReplyRef v) {
  std::vector<Value> out;
  TreeBuilder builder(&out);
  Replay(v, builder);
  return out.empty() ? Value() : std::move(out.front());
}

std::vector<Value> ToValues(const ReplyTree& t) {
  std::vector<Value> out;
  out.reserve(t.size());
  TreeBuilder builder(&out);
  for (ReplyRef v : t) Replay(v, builder);
  return out;
}

std::string ToDebugString(ReplyRef v, size_t max_len) { return ToDebugString(ToValue(v), max_len); }

}  // namespace respfuzz::resp
