#include "src/engine/zskiplist.h"

#include <cmath>
#include <new>
#include <vector>

namespace respfuzz::engine {

namespace {

// (e.first, e.second) < (score, member): scores first (0 and -0 are equal
// there, as in Redis's skiplist), then the member's bytes.
bool Below(const ZSkipList::Entry& e, double score, std::string_view member) {
  return e.first < score || (e.first == score && std::string_view(e.second) < member);
}

bool Above(const ZSkipList::Entry& e, double score, std::string_view member) {
  return e.first > score || (e.first == score && std::string_view(e.second) > member);
}

}  // namespace

// ---------------------------------------------------------------------------
// Iterators.

ZSkipList::const_iterator::reference ZSkipList::const_iterator::operator*() const {
  return node_->entry;
}

ZSkipList::const_iterator& ZSkipList::const_iterator::operator++() {
  node_ = node_->links()[0].next;
  return *this;
}

ZSkipList::const_iterator& ZSkipList::const_iterator::operator--() {
  node_ = node_ == nullptr ? list_->tail_ : node_->backward;
  return *this;
}

ZSkipList::const_iterator ZSkipList::begin() const {
  return const_iterator(this, header_ == nullptr ? nullptr : header_->links()[0].next);
}

// ---------------------------------------------------------------------------
// Nodes and lifetime.

ZSkipList::Node* ZSkipList::NewNode(int height, double score, std::string_view member) {
  void* mem = ::operator new(sizeof(Node) + static_cast<size_t>(height) * sizeof(Link));
  Node* n = new (mem) Node{Entry(score, std::string(member)), nullptr, height};
  for (int i = 0; i < height; ++i) n->links()[i] = Link{nullptr, 0};
  return n;
}

void ZSkipList::FreeNode(Node* n) {
  n->~Node();
  ::operator delete(n);
}

ZSkipList::~ZSkipList() { clear(); }

void ZSkipList::clear() {
  if (header_ == nullptr) return;
  Node* x = header_->links()[0].next;
  while (x != nullptr) {
    Node* next = x->links()[0].next;
    FreeNode(x);
    x = next;
  }
  FreeNode(header_);
  header_ = nullptr;
  tail_ = nullptr;
  length_ = 0;
  level_ = 1;
  header_height_ = 0;
}

void ZSkipList::CopyFrom(const ZSkipList& other) {
  for (const Entry& e : other) Insert(e.first, e.second);
}

ZSkipList::ZSkipList(const ZSkipList& other) { CopyFrom(other); }

ZSkipList& ZSkipList::operator=(const ZSkipList& other) {
  if (this != &other) {
    clear();
    rng_ = kSeed;
    CopyFrom(other);
  }
  return *this;
}

ZSkipList::ZSkipList(ZSkipList&& other) noexcept
    : header_(other.header_),
      tail_(other.tail_),
      length_(other.length_),
      level_(other.level_),
      header_height_(other.header_height_),
      rng_(other.rng_) {
  other.header_ = nullptr;
  other.tail_ = nullptr;
  other.length_ = 0;
  other.level_ = 1;
  other.header_height_ = 0;
  other.rng_ = kSeed;
}

ZSkipList& ZSkipList::operator=(ZSkipList&& other) noexcept {
  if (this != &other) {
    clear();
    header_ = other.header_;
    tail_ = other.tail_;
    length_ = other.length_;
    level_ = other.level_;
    header_height_ = other.header_height_;
    rng_ = other.rng_;
    other.header_ = nullptr;
    other.tail_ = nullptr;
    other.length_ = 0;
    other.level_ = 1;
    other.header_height_ = 0;
    other.rng_ = kSeed;
  }
  return *this;
}

// splitmix64; each pair of bits decides one more level with probability
// 1/4, so 64 bits give up to 32 levels.
int ZSkipList::RandomHeight() {
  rng_ += 0x9e3779b97f4a7c15ULL;
  uint64_t z = rng_;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  int h = 1;
  while (h < kMaxLevel && (z & 3) == 0) {
    ++h;
    z >>= 2;
  }
  return h;
}

// The header has as many links as the tallest node; a taller node
// reallocates it (nothing points at the header but the list itself).
void ZSkipList::GrowHeader(int height) {
  if (height <= header_height_) return;
  Node* h = NewNode(height, 0, {});
  for (int i = 0; i < header_height_; ++i) h->links()[i] = header_->links()[i];
  if (header_ != nullptr) FreeNode(header_);
  header_ = h;
  header_height_ = height;
}

// ---------------------------------------------------------------------------
// Search, insert, erase.

ZSkipList::Node* ZSkipList::FindPredecessors(double score, std::string_view member, Node** update,
                                             size_t* rank) const {
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    rank[i] = i == level_ - 1 ? 0 : rank[i + 1];
    while (x->links()[i].next != nullptr && Below(x->links()[i].next->entry, score, member)) {
      rank[i] += x->links()[i].span;
      x = x->links()[i].next;
    }
    update[i] = x;
  }
  return x->links()[0].next;
}

void ZSkipList::Insert(double score, std::string_view member) {
  const int height = RandomHeight();
  GrowHeader(height);  // before the search: growing moves the header
  Node* update[kMaxLevel];
  size_t rank[kMaxLevel];
  FindPredecessors(score, member, update, rank);
  if (height > level_) {
    for (int i = level_; i < height; ++i) {
      rank[i] = 0;
      update[i] = header_;
      header_->links()[i] = Link{nullptr, length_};
    }
    level_ = height;
  }
  Node* x = NewNode(height, score, member);
  for (int i = 0; i < height; ++i) {
    Link& before = update[i]->links()[i];
    x->links()[i].next = before.next;
    before.next = x;
    x->links()[i].span = before.span - (rank[0] - rank[i]);
    before.span = rank[0] - rank[i] + 1;
  }
  for (int i = height; i < level_; ++i) ++update[i]->links()[i].span;
  x->backward = update[0] == header_ ? nullptr : update[0];
  if (x->links()[0].next != nullptr) {
    x->links()[0].next->backward = x;
  } else {
    tail_ = x;
  }
  ++length_;
}

void ZSkipList::Unlink(Node* x, Node** update) {
  for (int i = 0; i < level_; ++i) {
    Link& before = update[i]->links()[i];
    if (before.next == x) {
      before.span += x->links()[i].span - 1;
      before.next = x->links()[i].next;
    } else {
      before.span -= 1;
    }
  }
  if (x->links()[0].next != nullptr) {
    x->links()[0].next->backward = x->backward;
  } else {
    tail_ = x->backward;
  }
  while (level_ > 1 && header_->links()[level_ - 1].next == nullptr) --level_;
  --length_;
}

bool ZSkipList::Erase(double score, std::string_view member) {
  if (header_ == nullptr) return false;
  Node* update[kMaxLevel];
  size_t rank[kMaxLevel];
  Node* x = FindPredecessors(score, member, update, rank);
  if (x == nullptr || x->entry.first != score || x->entry.second != member) return false;
  Unlink(x, update);
  FreeNode(x);
  return true;
}

void ZSkipList::UpdateScore(double old_score, std::string_view member, double new_score) {
  Node* update[kMaxLevel];
  size_t rank[kMaxLevel];
  Node* x = FindPredecessors(old_score, member, update, rank);
  // In place when the neighbours still bracket the new score (Redis's
  // zslUpdateScore does the same).
  const Node* prev = x->backward;
  const Node* next = x->links()[0].next;
  if ((prev == nullptr || Below(prev->entry, new_score, member)) &&
      (next == nullptr || Above(next->entry, new_score, member))) {
    x->entry.first = new_score;
    return;
  }
  std::string name = std::move(x->entry.second);
  Unlink(x, update);
  FreeNode(x);
  Insert(new_score, name);
}

ZSkipList::const_iterator ZSkipList::lower_bound(double score, std::string_view member) const {
  if (header_ == nullptr) return end();
  const Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->links()[i].next != nullptr && Below(x->links()[i].next->entry, score, member)) {
      x = x->links()[i].next;
    }
  }
  return const_iterator(this, x->links()[0].next);
}

ZSkipList::const_iterator ZSkipList::upper_bound(double score, std::string_view member) const {
  if (header_ == nullptr) return end();
  const Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->links()[i].next != nullptr && !Above(x->links()[i].next->entry, score, member)) {
      x = x->links()[i].next;
    }
  }
  return const_iterator(this, x->links()[0].next);
}

int64_t ZSkipList::RankOf(double score, std::string_view member) const {
  if (header_ == nullptr) return -1;
  const Node* x = header_;
  size_t traversed = 0;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->links()[i].next != nullptr && !Above(x->links()[i].next->entry, score, member)) {
      traversed += x->links()[i].span;
      x = x->links()[i].next;
    }
    if (x != header_ && x->entry.first == score && x->entry.second == member) {
      return static_cast<int64_t>(traversed) - 1;
    }
  }
  return -1;
}

size_t ZSkipList::Rank(const_iterator it) const {
  if (it.node_ == nullptr) return length_;
  return static_cast<size_t>(RankOf(it.node_->entry.first, it.node_->entry.second));
}

ZSkipList::const_iterator ZSkipList::AtRank(size_t rank) const {
  if (rank >= length_) return end();
  const size_t target = rank + 1;
  const Node* x = header_;
  size_t traversed = 0;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->links()[i].next != nullptr && traversed + x->links()[i].span <= target) {
      traversed += x->links()[i].span;
      x = x->links()[i].next;
    }
    if (traversed == target) return const_iterator(this, x);
  }
  return end();  // unreachable while the spans hold
}

// ---------------------------------------------------------------------------
// Invariants.

std::vector<int> ZSkipList::Heights() const {
  std::vector<int> out;
  if (header_ == nullptr) return out;
  for (const Node* x = header_->links()[0].next; x != nullptr; x = x->links()[0].next) {
    out.push_back(x->height);
  }
  return out;
}

std::string ZSkipList::Check() const {
  if (header_ == nullptr) {
    if (length_ != 0 || tail_ != nullptr || level_ != 1) return "skiplist without header not empty";
    return "";
  }
  if (level_ < 1 || level_ > header_height_ || header_height_ > kMaxLevel) {
    return "skiplist level " + std::to_string(level_) + " outside 1.." +
           std::to_string(header_height_);
  }
  // Level 0: order, backward links, tail, length; ranks of every node.
  std::vector<const Node*> nodes;
  const Node* prev = nullptr;
  for (const Node* x = header_->links()[0].next; x != nullptr; x = x->links()[0].next) {
    if (nodes.size() > length_) return "skiplist longer than its length";
    if (x->height < 1 || x->height > level_) {
      return "skiplist node height " + std::to_string(x->height) + " outside 1.." +
             std::to_string(level_);
    }
    if (std::isnan(x->entry.first)) return "skiplist NaN score for '" + x->entry.second + "'";
    if (x->backward != prev) return "skiplist backward link broken at '" + x->entry.second + "'";
    if (prev != nullptr && !Below(prev->entry, x->entry.first, x->entry.second)) {
      return "skiplist out of order at '" + x->entry.second + "'";
    }
    nodes.push_back(x);
    prev = x;
  }
  if (nodes.size() != length_) {
    return "skiplist holds " + std::to_string(nodes.size()) + " entries, length says " +
           std::to_string(length_);
  }
  if (tail_ != prev) return "skiplist tail is not the last entry";
  if (level_ > 1 && header_->links()[level_ - 1].next == nullptr) {
    return "skiplist top level " + std::to_string(level_) + " is empty";
  }
  // Every level: each link reaches the next node of at least that height,
  // and its span is the rank distance (to the end for a link to nowhere).
  for (int i = 0; i < level_; ++i) {
    const Node* from = header_;
    size_t from_rank = 0;
    for (size_t r = 0; r <= nodes.size(); ++r) {
      const Node* to = r < nodes.size() ? nodes[r] : nullptr;
      if (to != nullptr && to->height <= i) continue;
      const Link& l = from->links()[i];
      const size_t want = to == nullptr ? length_ - from_rank : r + 1 - from_rank;
      if (l.next != to) return "skiplist level " + std::to_string(i) + " skips a node";
      if (l.span != want) {
        return "skiplist span " + std::to_string(l.span) + " at level " + std::to_string(i) +
               ", want " + std::to_string(want);
      }
      if (to == nullptr) break;
      from = to;
      from_rank = r + 1;
    }
  }
  return "";
}

}  // namespace respfuzz::engine
