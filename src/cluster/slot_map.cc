#include "src/cluster/slot_map.h"

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace respfuzz::cluster {
namespace {

using resp::Type;
using resp::Value;

bool IsText(const Value& v) {
  return v.type == Type::kBulkString || v.type == Type::kSimpleString || v.type == Type::kVerbatim;
}

bool IsList(const Value& v) {
  return v.type == Type::kArray || v.type == Type::kSet || v.type == Type::kPush;
}

// A map-shaped value: a RESP3 map, or a RESP2 flat array of key/value pairs.
const Value* Field(const Value& v, std::string_view key) {
  if (v.type != Type::kMap && v.type != Type::kArray) return nullptr;
  for (size_t i = 0; i + 1 < v.elems.size(); i += 2) {
    if (IsText(v.elems[i]) && v.elems[i].str == key) return &v.elems[i + 1];
  }
  return nullptr;
}

absl::Status Bad(size_t entry, std::string what) {
  return absl::InvalidArgumentError(absl::StrCat("entry ", entry, ": ", what));
}

bool SlotInt(const Value& v, int* out) {
  if (v.type != Type::kInteger || v.integer < 0 || v.integer >= kSlotCount) return false;
  *out = static_cast<int>(v.integer);
  return true;
}

bool PortInt(const Value& v, int* out) {
  if (v.type != Type::kInteger || v.integer < 0 || v.integer > 65535) return false;
  *out = static_cast<int>(v.integer);
  return true;
}

}  // namespace

SlotMap::SlotMap() : owner_(kSlotCount, -1), ask_(kSlotCount, -1) {}

int SlotMap::NodeIndex(const Endpoint& node) {
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i] == node) return static_cast<int>(i);
  }
  if (nodes_.size() >= kMaxMapNodes) return -1;
  nodes_.push_back(node);
  return static_cast<int>(nodes_.size() - 1);
}

absl::Status SlotMap::Assign(int first, int last, const Endpoint& node) {
  if (first < 0 || last >= kSlotCount || first > last) {
    return absl::InvalidArgumentError(absl::StrCat("bad slot range ", first, "-", last));
  }
  int idx = NodeIndex(node);
  if (idx < 0)
    return absl::ResourceExhaustedError(absl::StrCat("more than ", kMaxMapNodes, " nodes"));
  std::fill(owner_.begin() + first, owner_.begin() + last + 1, static_cast<int16_t>(idx));
  return absl::OkStatus();
}

absl::StatusOr<SlotMap> SlotMap::FromClusterSlots(const Value& reply) {
  if (!IsList(reply)) return absl::InvalidArgumentError("CLUSTER SLOTS reply is not an array");
  SlotMap map;
  for (size_t i = 0; i < reply.elems.size(); ++i) {
    const Value& e = reply.elems[i];
    if (e.type != Type::kArray || e.elems.size() < 3) return Bad(i, "not [first, last, node...]");
    int first, last, port;
    if (!SlotInt(e.elems[0], &first) || !SlotInt(e.elems[1], &last) || first > last) {
      return Bad(i, "bad slot range");
    }
    const Value& node = e.elems[2];
    if (node.type != Type::kArray || node.elems.size() < 2 || !IsText(node.elems[0]) ||
        !PortInt(node.elems[1], &port)) {
      return Bad(i, "primary is not [host, port, ...]");
    }
    absl::Status st = map.Assign(first, last, Endpoint{node.elems[0].str, port});
    if (!st.ok()) return Bad(i, std::string(st.message()));
  }
  return map;
}

absl::StatusOr<SlotMap> SlotMap::FromClusterShards(const Value& reply) {
  if (!IsList(reply)) return absl::InvalidArgumentError("CLUSTER SHARDS reply is not an array");
  SlotMap map;
  for (size_t i = 0; i < reply.elems.size(); ++i) {
    const Value& shard = reply.elems[i];
    const Value* slots = Field(shard, "slots");
    const Value* nodes = Field(shard, "nodes");
    if (slots == nullptr || nodes == nullptr || !IsList(*slots) || !IsList(*nodes)) {
      return Bad(i, "shard without slots and nodes");
    }
    if (slots->elems.size() % 2 != 0) return Bad(i, "odd number of slot bounds");
    const Value* primary = nullptr;
    for (const Value& n : nodes->elems) {
      const Value* role = Field(n, "role");
      if (role != nullptr && IsText(*role) && role->str == "master") primary = &n;
    }
    if (primary == nullptr) {
      if (slots->elems.empty()) continue;  // a shard with no slots may lack a primary
      return Bad(i, "slots but no primary");
    }
    const Value* ip = Field(*primary, "endpoint");
    if (ip == nullptr) ip = Field(*primary, "ip");
    const Value* port_v = Field(*primary, "port");
    if (port_v == nullptr) port_v = Field(*primary, "tls-port");
    int port;
    if (ip == nullptr || !IsText(*ip) || port_v == nullptr || !PortInt(*port_v, &port)) {
      return Bad(i, "primary without endpoint and port");
    }
    for (size_t k = 0; k < slots->elems.size(); k += 2) {
      int first, last;
      if (!SlotInt(slots->elems[k], &first) || !SlotInt(slots->elems[k + 1], &last) ||
          first > last) {
        return Bad(i, "bad slot range");
      }
      absl::Status st = map.Assign(first, last, Endpoint{ip->str, port});
      if (!st.ok()) return Bad(i, std::string(st.message()));
    }
  }
  return map;
}

std::optional<Endpoint> SlotMap::Owner(int slot) const {
  if (slot < 0 || slot >= kSlotCount || owner_[slot] < 0) return std::nullopt;
  return nodes_[owner_[slot]];
}

std::optional<Route> SlotMap::RouteSlot(int slot) {
  if (slot < 0 || slot >= kSlotCount) return std::nullopt;
  if (ask_[slot] >= 0) {
    Route r{nodes_[ask_[slot]], true};
    ask_[slot] = -1;
    return r;
  }
  if (owner_[slot] < 0) return std::nullopt;
  return Route{nodes_[owner_[slot]], false};
}

std::optional<Route> SlotMap::RouteKey(std::string_view key) { return RouteSlot(KeySlot(key)); }

absl::Status SlotMap::OnRedirect(const Redirect& r) {
  if (r.slot < 0 || r.slot >= kSlotCount) return absl::InvalidArgumentError("bad slot");
  int idx = NodeIndex(r.target);
  if (idx < 0)
    return absl::ResourceExhaustedError(absl::StrCat("more than ", kMaxMapNodes, " nodes"));
  if (r.kind == RedirectKind::kMoved) {
    owner_[r.slot] = static_cast<int16_t>(idx);
    ask_[r.slot] = -1;
  } else {
    ask_[r.slot] = static_cast<int16_t>(idx);
  }
  return absl::OkStatus();
}

void SlotMap::OnNodeFailed(const Endpoint& node) {
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (!(nodes_[i] == node)) continue;
    std::replace(owner_.begin(), owner_.end(), static_cast<int16_t>(i), int16_t{-1});
    std::replace(ask_.begin(), ask_.end(), static_cast<int16_t>(i), int16_t{-1});
  }
}

size_t SlotMap::covered_slots() const {
  return static_cast<size_t>(
      std::count_if(owner_.begin(), owner_.end(), [](int16_t o) { return o >= 0; }));
}

}  // namespace respfuzz::cluster
