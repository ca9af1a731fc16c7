#include "src/resp/reply.h"

#include <cmath>
#include <utility>

#include "absl/container/inlined_vector.h"

namespace respfuzz::resp {

ReplyRef ReplyRef::elem(size_t i) const {
  auto it = elems().begin();
  for (size_t k = 0; k < i; ++k) ++it;
  return *it;
}

namespace {

// Keeps the largest dropped block's storage as the spare.
void DropBlocks(std::vector<std::string>* blocks, std::string* spare) {
  for (std::string& b : *blocks) {
    if (b.capacity() > spare->capacity()) *spare = std::move(b);
  }
  blocks->clear();
  spare->clear();
}

}  // namespace

void ReplyTree::clear() {
  roots_.clear();
  if (!building()) {
    nodes_.clear();
    arena_.clear();
    DropBlocks(&blocks_, &spare_block_);
    done_nodes_ = done_bytes_ = 0;
    return;
  }
  // Blocks stay while a value is in progress (it may own some): the values
  // completed before it are few, all in one Feed.
  // A value is still being built. Only one top-level value can be in
  // progress, and no complete value is added before it ends; so moving it to
  // the front only when the dead prefix is at least as large as it keeps the
  // cost of moves below the dead bytes dropped, and memory within twice what
  // is alive.
  const uint64_t live_nodes = nodes_.size() - done_nodes_;
  const uint64_t live_bytes = arena_.size() - done_bytes_;
  if (done_nodes_ + done_bytes_ < live_nodes + live_bytes) return;
  nodes_.erase(nodes_.begin(), nodes_.begin() + static_cast<ptrdiff_t>(done_nodes_));
  arena_.erase(0, done_bytes_);
  for (ReplyNode& n : nodes_) {
    if (IsStringLike(n.type) && n.block == 0) n.a -= done_bytes_;
  }
  done_nodes_ = done_bytes_ = 0;
}

void ReplyTree::Reset() {
  roots_.clear();
  nodes_.clear();
  arena_.clear();
  blocks_.clear();
  spare_block_ = std::string();
  done_nodes_ = done_bytes_ = 0;
}

void ReplyTree::Append(ReplyRef v) {
  // Indices, not pointers: `v` may be a value of this very tree.
  const ReplyTree& src = v.tree();
  const uint64_t first = v.begin(), last = v.end();
  uint64_t bytes = 0;
  for (uint64_t i = first; i < last; ++i) {
    if (IsStringLike(src.nodes_[i].type)) bytes += src.nodes_[i].b;
  }
  nodes_.reserve(nodes_.size() + (last - first));
  // Reserved up front: a payload of this very tree's arena stays in place.
  arena_.reserve(arena_.size() + bytes);
  // A value being built here stays last: the copy goes before it.
  std::vector<ReplyNode> tail(nodes_.begin() + static_cast<ptrdiff_t>(done_nodes_), nodes_.end());
  std::string tail_bytes = arena_.substr(done_bytes_);
  nodes_.resize(done_nodes_);
  arena_.resize(done_bytes_);
  for (uint64_t i = first; i < last; ++i) {
    ReplyNode n = src.nodes_[i];
    if (IsStringLike(n.type)) {
      const std::string_view payload = src.payload(n);
      n.a = arena_.size();
      n.block = 0;
      arena_.append(payload.data(), payload.size());
    }
    nodes_.push_back(n);
  }
  const uint64_t shift = arena_.size() - done_bytes_;
  Commit();
  for (ReplyNode n : tail) {
    if (IsStringLike(n.type) && n.block == 0) n.a += shift;
    nodes_.push_back(n);
  }
  arena_ += tail_bytes;
}

void ReplyTree::RetypeNulls(Type from, Type to) {
  auto is_null = [](Type t) {
    return t == Type::kNull || t == Type::kNullBulk || t == Type::kNullArray;
  };
  if (!is_null(from) || !is_null(to)) return;
  for (ReplyNode& n : nodes_) {
    if (n.type == from) n.type = to;
  }
}

namespace {

bool SameDoubleBits(uint64_t x, uint64_t y) {
  double a, b;
  std::memcpy(&a, &x, sizeof a);
  std::memcpy(&b, &y, sizeof b);
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return a == b && std::signbit(a) == std::signbit(b);
}

}  // namespace

bool Equal(ReplyRef a, ReplyRef b) {
  const uint64_t n = a.nodes();
  if (n != b.nodes()) return false;
  const ReplyTree& ta = a.tree();
  const ReplyTree& tb = b.tree();
  // Equal runs of nodes in wire order are equal trees: every node carries its
  // element count, which fixes the shape.
  for (uint64_t i = 0; i < n; ++i) {
    const ReplyNode& x = ta.node(a.begin() + i);
    const ReplyNode& y = tb.node(b.begin() + i);
    if (x.type != y.type) return false;
    switch (x.type) {
      case Type::kDouble:
        if (!SameDoubleBits(x.a, y.a)) return false;
        break;
      case Type::kNull:
      case Type::kNullBulk:
      case Type::kNullArray:
        break;
      default:
        if (IsStringLike(x.type)) {
          if (ta.payload(x) != tb.payload(y)) return false;
        } else if (x.a != y.a) {
          return false;
        }
        break;
    }
  }
  return true;
}

bool Equal(ReplyRef a, const Value& b) {
  const ReplyTree& t = a.tree();
  // b's nodes in wire order (each value's attribute first), against a's run.
  struct Item {
    const Value* v;
    bool attributes_done;
  };
  // Inline room for the usual reply: a harness compares every reply.
  absl::InlinedVector<Item, 16> work{{&b, false}};
  uint64_t i = a.begin();
  const uint64_t end = a.end();
  while (!work.empty()) {
    auto [v, attributes_done] = work.back();
    work.pop_back();
    if (i == end) return false;
    const ReplyNode& x = t.node(i++);
    if (!v->has_attributes && !v->attributes.empty()) return false;
    if (v->has_attributes && !attributes_done) {
      if (x.type != Type::kAttribute || x.a != v->attributes.size()) return false;
      work.push_back({v, true});
      for (size_t k = v->attributes.size(); k-- > 0;) work.push_back({&v->attributes[k], false});
      continue;
    }
    if (x.type != v->type || v->type == Type::kAttribute) return false;
    switch (v->type) {
      case Type::kInteger:
        if (static_cast<int64_t>(x.a) != v->integer) return false;
        break;
      case Type::kBoolean:
        if ((x.a != 0) != v->boolean) return false;
        break;
      case Type::kDouble: {
        uint64_t bits;
        std::memcpy(&bits, &v->dbl, sizeof bits);
        if (!SameDoubleBits(x.a, bits)) return false;
        break;
      }
      default:
        if (IsStringLike(v->type) && t.payload(x) != v->str) return false;
        break;
    }
    if (x.aggregate()) {
      if (x.a != v->elems.size()) return false;
      for (size_t k = v->elems.size(); k-- > 0;) work.push_back({&v->elems[k], false});
    } else if (!v->elems.empty()) {
      return false;
    }
  }
  return i == end;
}

bool operator==(const ReplyTree& a, const ReplyTree& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!Equal(a[i], b[i])) return false;
  }
  return true;
}

bool operator==(const ReplyTree& a, const std::vector<Value>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!Equal(a[i], b[i])) return false;
  }
  return true;
}

}  // namespace respfuzz::resp
