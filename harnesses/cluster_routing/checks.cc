#include "harnesses/cluster_routing/checks.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "harnesses/cluster_routing/bad_topology.h"
#include "harnesses/models/cluster_slot_reference.h"
#include "src/cluster/slot.h"

namespace respfuzz::harnesses {
namespace {

using cluster::Endpoint;
using cluster::kSlotCount;
using cluster::Redirect;
using cluster::RedirectKind;

// The plain model: what the cluster really looks like.
struct Model {
  std::array<int16_t, kSlotCount> owner{};
  std::array<int16_t, kSlotCount> migrating{};  // target node, -1 none
  std::array<bool, kRoutingNodes> dead{};
  // The CLUSTER SLOTS reply of the current owners, built when first asked for
  // after a change (the ownership loops dominate the fuzzing time).
  mutable std::optional<resp::Value> slots_reply;

  Model() {
    std::fill(owner.begin(), owner.begin() + 5461, int16_t{0});
    std::fill(owner.begin() + 5461, owner.begin() + 10923, int16_t{1});
    std::fill(owner.begin() + 10923, owner.end(), int16_t{2});
    migrating.fill(-1);
  }
  void OwnersChanged() { slots_reply.reset(); }

  // Where the cluster puts a key: the model's own slot function (written
  // from the cluster specification), never src/cluster's.
  static int SlotOf(std::string_view key) { return models::ReferenceKeySlot(key); }
  static bool KeyMoved(std::string_view key) { return (models::ReferenceCrc16(key) & 0x100) != 0; }

  // The node that serves `key` now.
  int Serving(std::string_view key) const {
    int s = SlotOf(key);
    if (migrating[s] >= 0 && KeyMoved(key)) return migrating[s];
    return owner[s];
  }

  const resp::Value& ClusterSlots() const {
    if (slots_reply) return *slots_reply;
    resp::Value reply = resp::Value::Aggregate(resp::Type::kArray);
    int s = 0;
    while (s < kSlotCount) {
      int e = s;
      while (e + 1 < kSlotCount && owner[e + 1] == owner[s]) ++e;
      Endpoint ep = RoutingNodeEndpoint(owner[s]);
      resp::Value node = resp::Value::Aggregate(
          resp::Type::kArray, {resp::Value::Bulk(ep.host), resp::Value::Integer(ep.port),
                               resp::Value::Bulk(absl::StrCat("node", owner[s]))});
      reply.elems.push_back(resp::Value::Aggregate(
          resp::Type::kArray, {resp::Value::Integer(s), resp::Value::Integer(e), node}));
      s = e + 1;
    }
    slots_reply = std::move(reply);
    return *slots_reply;
  }
};

std::optional<int> NodeOf(const Endpoint& e) {
  for (int k = 0; k < kRoutingNodes; ++k) {
    if (RoutingNodeEndpoint(k) == e) return k;
  }
  return std::nullopt;
}

std::string NodeName(int k) { return absl::StrCat("n", k); }

fuzz::Verdict Fail(const char* check, size_t op, const std::string& msg) {
  return fuzz::Verdict::Fail(check, static_cast<int64_t>(op), msg);
}

// One lookup of `key`, following redirections as a client does.
fuzz::Verdict Get(Model& m, RoutingClientUnderTest& client, std::string_view key, size_t op,
                  std::string* trace) {
  const int slot = Model::SlotOf(key);
  const int client_slot = client.KeySlot(key);
  if (client_slot != slot) {
    return Fail("key-slot", op,
                absl::StrCat("get ", std::string(key), ": the client computes slot ", client_slot,
                             ", the cluster puts the key in slot ", slot));
  }
  const int want = m.Serving(key);
  for (int hop = 0; hop < kMaxRoutingHops; ++hop) {
    std::optional<cluster::Route> route = client.RouteSlot(slot);
    if (!route) {
      if (trace) absl::StrAppend(trace, " [no node: refresh]");
      if (auto st = client.Refresh(m.ClusterSlots()); !st.ok()) {
        return Fail("route", op, absl::StrCat("CLUSTER SLOTS refused: ", st.message()));
      }
      continue;
    }
    std::optional<int> node = NodeOf(route->node);
    if (!node || m.dead[*node]) {
      if (trace) absl::StrAppend(trace, " [", route->node.ToString(), " down: refresh]");
      // node-failed: the failed node's slots lose their owner, the others'
      // keep theirs (probed at this slot and the ranges' initial bounds).
      const std::array<int, 7> probes = {slot, 0, 5460, 5461, 10922, 10923, 16383};
      std::array<std::optional<Endpoint>, 7> before;
      for (size_t k = 0; k < probes.size(); ++k) before[k] = client.Owner(probes[k]);
      client.OnNodeFailed(route->node);
      for (size_t k = 0; k < probes.size(); ++k) {
        const std::optional<Endpoint> after = client.Owner(probes[k]);
        const bool was_failed = before[k] && *before[k] == route->node;
        if (was_failed ? after.has_value() : after != before[k]) {
          return Fail(
              "node-failed", op,
              absl::StrCat("after ", route->node.ToString(), " failed, slot ", probes[k],
                           " is owned by ", after ? after->ToString() : "no node",
                           " (before: ", before[k] ? before[k]->ToString() : "no node", ")"));
        }
      }
      if (auto st = client.Refresh(m.ClusterSlots()); !st.ok()) {
        return Fail("route", op, absl::StrCat("CLUSTER SLOTS refused: ", st.message()));
      }
      continue;
    }
    const int n = *node;
    std::optional<Redirect> redirect;
    bool served = false;
    if (route->asking && m.migrating[slot] == n) {
      served = true;
    } else if (m.owner[slot] == n) {
      if (m.migrating[slot] >= 0 && Model::KeyMoved(key)) {
        redirect = Redirect{RedirectKind::kAsk, slot, RoutingNodeEndpoint(m.migrating[slot])};
      } else {
        served = true;
      }
    } else {
      redirect = Redirect{RedirectKind::kMoved, slot, RoutingNodeEndpoint(m.owner[slot])};
    }
    if (served) {
      if (trace)
        absl::StrAppend(trace, " -> served by ", NodeName(n), route->asking ? " (ASKING)" : "");
      if (n != want) {
        return Fail("route", op,
                    absl::StrCat("get ", std::string(key), " (slot ", slot, ") served by ",
                                 NodeName(n), ", the model says ", NodeName(want)));
      }
      if (route->asking) {
        // One-shot: the map's owner stays, the next request goes without ASKING.
        std::optional<Endpoint> owner = client.Owner(slot);
        std::optional<cluster::Route> next = client.RouteSlot(slot);
        if (next && next->asking) {
          return Fail("ask-one-shot", op,
                      absl::StrCat("slot ", slot, ": a second request still carries ASKING"));
        }
        if (owner && next && !(next->node == *owner)) {
          return Fail("ask-one-shot", op,
                      absl::StrCat("slot ", slot, ": after the ASK, requests go to ",
                                   next->node.ToString(), " not the owner ", owner->ToString()));
        }
        if (owner && *owner == RoutingNodeEndpoint(n) && m.owner[slot] != n) {
          return Fail(
              "ask-one-shot", op,
              absl::StrCat("slot ", slot, ": ASK changed the map's owner to ", NodeName(n)));
        }
      }
      return fuzz::Verdict::Ok();
    }
    const std::string text = "-" + cluster::FormatRedirect(*redirect) + "\r\n";
    absl::StatusOr<Redirect> parsed = client.Parse(text);
    if (!parsed.ok() || !(*parsed == *redirect)) {
      return Fail("redirect-text", op,
                  absl::StrCat("'", cluster::FormatRedirect(*redirect), "' parsed as ",
                               parsed.ok() ? cluster::FormatRedirect(*parsed)
                                           : std::string(parsed.status().message())));
    }
    if (trace)
      absl::StrAppend(trace, " [", NodeName(n), ": ", cluster::FormatRedirect(*redirect), "]");
    std::optional<Endpoint> owner_before = client.Owner(slot);
    if (auto st = client.OnRedirect(*parsed); !st.ok()) {
      return Fail("route", op, absl::StrCat("redirect refused: ", st.message()));
    }
    if (parsed->kind == RedirectKind::kMoved) {
      std::optional<Endpoint> owner = client.Owner(slot);
      if (!owner || !(*owner == parsed->target)) {
        return Fail("moved-updates", op,
                    absl::StrCat("after ", cluster::FormatRedirect(*parsed), " the map says ",
                                 owner ? owner->ToString() : "no owner"));
      }
    } else if (client.Owner(slot) != owner_before) {
      return Fail("ask-one-shot", op,
                  absl::StrCat("ASK changed the owner of slot ", slot, " in the map"));
    }
  }
  return Fail("route", op,
              absl::StrCat("get ", std::string(key), " (slot ", slot, "): no answer after ",
                           kMaxRoutingHops, " requests"));
}

}  // namespace

Endpoint RoutingNodeEndpoint(int node) {
  return Endpoint{node % 2 == 0 ? "127.0.0.1" : "::1", 7000 + node};
}

RoutingRunResult RunRoutingProgram(const RoutingProgram& p, RoutingClientUnderTest& client,
                                   bool trace) {
  RoutingRunResult result;
  Model m;
  if (auto st = client.Refresh(m.ClusterSlots()); !st.ok()) {
    result.verdict = Fail("route", 0, absl::StrCat("CLUSTER SLOTS refused: ", st.message()));
    result.verdict.op = "start";  // the client's first CLUSTER SLOTS, before any op
    return result;
  }
  for (size_t i = 0; i < p.ops.size(); ++i) {
    const RoutingOp& op = p.ops[i];
    std::string line = trace ? absl::StrCat("#", i, " ", RoutingOpToText(op)) : "";
    std::string* t = trace ? &line : nullptr;
    auto skipped = [&](const char* why) {
      if (t) absl::StrAppend(t, " (skipped: ", why, ")");
    };
    switch (op.kind) {
      case RoutingOpKind::kRefresh:
        if (auto st = client.Refresh(m.ClusterSlots()); !st.ok()) {
          result.verdict = Fail("route", i, absl::StrCat("CLUSTER SLOTS refused: ", st.message()));
        }
        break;
      case RoutingOpKind::kMoveRange:
        if (m.dead[op.node]) {
          skipped("dead node");
          break;
        }
        std::fill(m.owner.begin() + op.first, m.owner.begin() + op.last + 1,
                  static_cast<int16_t>(op.node));
        std::fill(m.migrating.begin() + op.first, m.migrating.begin() + op.last + 1, int16_t{-1});
        m.OwnersChanged();
        break;
      case RoutingOpKind::kMove: {
        if (m.dead[op.node]) {
          skipped("dead node");
          break;
        }
        int s = Model::SlotOf(op.key);
        m.owner[s] = static_cast<int16_t>(op.node);
        m.migrating[s] = -1;
        m.OwnersChanged();
        break;
      }
      case RoutingOpKind::kMigrate: {
        int s = Model::SlotOf(op.key);
        if (m.dead[op.node] || m.owner[s] == op.node) {
          skipped("dead node or the owner itself");
          break;
        }
        m.migrating[s] = static_cast<int16_t>(op.node);
        break;
      }
      case RoutingOpKind::kFinish: {
        int s = Model::SlotOf(op.key);
        if (m.migrating[s] < 0) {
          skipped("not migrating");
          break;
        }
        m.owner[s] = m.migrating[s];
        m.migrating[s] = -1;
        m.OwnersChanged();
        break;
      }
      case RoutingOpKind::kFail:
        if (m.dead[op.node] || m.dead[op.heir] || op.node == op.heir) {
          skipped("dead node or its own heir");
          break;
        }
        m.dead[op.node] = true;
        std::replace(m.owner.begin(), m.owner.end(), static_cast<int16_t>(op.node),
                     static_cast<int16_t>(op.heir));
        for (int s = 0; s < kSlotCount; ++s) {
          if (m.migrating[s] == op.node || m.migrating[s] == m.owner[s]) m.migrating[s] = -1;
        }
        m.OwnersChanged();
        break;
      case RoutingOpKind::kGet:
        result.verdict = Get(m, client, op.key, i, t);
        break;
      case RoutingOpKind::kRefreshShards:
        result.verdict = CheckShardsRefresh(client, m.ClusterSlots(), op.resp3, op.form, i);
        break;
      case RoutingOpKind::kRedirectBad:
        result.verdict = CheckBadRedirect(client, m.ClusterSlots(), op.slot, op.ask, i);
        break;
      case RoutingOpKind::kRefreshBad:
        result.verdict = CheckBadRefresh(client, m.ClusterSlots(),
                                         BadClusterSlots(m.ClusterSlots(), op.bad), op.bad, i);
        break;
    }
    if (trace) result.trace += line + "\n";
    if (!result.verdict.ok) {
      // Verdict::op: the op's kind, the first word of its text ("get").
      const std::string text = RoutingOpToText(op);
      result.verdict.op = text.substr(0, text.find(' '));
      break;
    }
  }
  return result;
}

namespace {

fuzz::Verdict RunWithRealClient(const RoutingProgram& p) {
  RoutingClientUnderTest client;
  return RunRoutingProgram(p, client).verdict;
}

std::string ExplainRoutingProgram(const RoutingProgram& p) {
  RoutingClientUnderTest client;
  RoutingRunResult r = RunRoutingProgram(p, client, /*trace=*/true);
  return r.trace + r.verdict.ToString() + "\n";
}

}  // namespace

namespace {

// The op-level mutator's view of an op: its key, nodes and slot range.
void RoutingArgSlots(RoutingOp* op, std::vector<ArgSlot>* out) {
  switch (op->kind) {
    case RoutingOpKind::kMoveRange:
      out->push_back(ArgSlot::Number(&op->first, 0, kSlotCount - 1));
      out->push_back(ArgSlot::Number(&op->last, 0, kSlotCount - 1));
      out->push_back(ArgSlot::Number(&op->node, 0, kRoutingNodes - 1));
      break;
    case RoutingOpKind::kMove:
    case RoutingOpKind::kMigrate:
      out->push_back(ArgSlot::Number(&op->node, 0, kRoutingNodes - 1));
      out->push_back(ArgSlot::Text(&op->key, ValueKind::kKey, KeyPool(), kMaxKeyLen));
      break;
    case RoutingOpKind::kFinish:
    case RoutingOpKind::kGet:
      out->push_back(ArgSlot::Text(&op->key, ValueKind::kKey, KeyPool(), kMaxKeyLen));
      break;
    case RoutingOpKind::kFail:
      out->push_back(ArgSlot::Number(&op->node, 0, kRoutingNodes - 1));
      out->push_back(ArgSlot::Number(&op->heir, 0, kRoutingNodes - 1));
      break;
    case RoutingOpKind::kRefreshBad:
      out->push_back(ArgSlot::Number(&op->bad, 0, kBadTopologyKinds - 1));
      break;
    case RoutingOpKind::kRefreshShards:
      out->push_back(ArgSlot::Number(&op->form, 0, kShardsForms - 1));
      break;
    case RoutingOpKind::kRefresh:
    case RoutingOpKind::kRedirectBad:
      break;
  }
}

}  // namespace

// decode, encode, print, parse, run, explain, describe, shrink_op, args,
// max_ops (ProgramCodec)
const ProgramCodec<RoutingProgram> kClusterRoutingProgram = {DecodeRoutingProgram,
                                                             EncodeRoutingProgram,
                                                             RoutingProgramToText,
                                                             RoutingProgramFromText,
                                                             RunWithRealClient,
                                                             ExplainRoutingProgram,
                                                             nullptr,
                                                             nullptr,
                                                             RoutingArgSlots,
                                                             kRoutingMaxOps};

RESPFUZZ_REGISTER_PROGRAM_HARNESS(
    cluster_routing,
    "a program of cluster topology changes (slot moves, migrations, node failures) and "
    "key lookups through a client slot map (src/cluster/slot_map.h)",
    "the client's key slot is the one the model's own slot function gives; every lookup "
    "reaches the node a plain cluster model says serves the key; MOVED updates the map; "
    "ASK is one-shot; MOVED/ASK texts parse back",
    kClusterRoutingProgram);

}  // namespace respfuzz::harnesses
