#include "tools/cluster/view.h"

#include <map>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace respfuzz::cluster_chaos {

bool NodeLine::HasFlag(std::string_view f) const {
  for (const std::string& x : flags) {
    if (x == f) return true;
  }
  return false;
}

absl::StatusOr<std::vector<NodeLine>> ParseClusterNodes(std::string_view text) {
  std::vector<NodeLine> out;
  int line_no = 0;
  for (absl::string_view line :
       absl::StrSplit(absl::string_view(text.data(), text.size()), '\n', absl::SkipWhitespace())) {
    ++line_no;
    if (line.back() == '\r') line.remove_suffix(1);
    std::vector<absl::string_view> f = absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (f.size() < 8) {
      return absl::InvalidArgumentError(
          absl::StrCat("CLUSTER NODES line ", line_no, ": ", f.size(), " fields, expected >= 8"));
    }
    NodeLine n;
    n.id = std::string(f[0]);
    absl::string_view addr = f[1].substr(0, f[1].find_first_of("@,"));
    const size_t colon = addr.rfind(':');
    if (colon == absl::string_view::npos || !absl::SimpleAtoi(addr.substr(colon + 1), &n.port)) {
      return absl::InvalidArgumentError(
          absl::StrCat("CLUSTER NODES line ", line_no, ": bad address '", f[1], "'"));
    }
    for (absl::string_view flag : absl::StrSplit(f[2], ',')) n.flags.emplace_back(flag);
    n.master_id = std::string(f[3]);
    if (!absl::SimpleAtoi(f[6], &n.config_epoch)) {
      return absl::InvalidArgumentError(
          absl::StrCat("CLUSTER NODES line ", line_no, ": bad epoch '", f[6], "'"));
    }
    n.link_connected = f[7] == "connected";
    for (size_t i = 8; i < f.size(); ++i) {
      if (absl::StartsWith(f[i], "[")) continue;  // [slot->-id] migrating, [slot-<-id] importing
      const size_t dash = f[i].find('-');
      int a = 0, b = 0;
      const bool ok = dash == absl::string_view::npos
                          ? absl::SimpleAtoi(f[i], &a) && (b = a, true)
                          : absl::SimpleAtoi(f[i].substr(0, dash), &a) &&
                                absl::SimpleAtoi(f[i].substr(dash + 1), &b);
      if (!ok || a < 0 || b >= kSlots || a > b) {
        return absl::InvalidArgumentError(
            absl::StrCat("CLUSTER NODES line ", line_no, ": bad slot range '", f[i], "'"));
      }
      n.slots.emplace_back(a, b);
    }
    out.push_back(std::move(n));
  }
  return out;
}

std::vector<std::string> SlotOwners(const std::vector<NodeLine>& view) {
  std::vector<std::string> owners(kSlots);
  for (const NodeLine& n : view) {
    for (const auto& [a, b] : n.slots) {
      for (int s = a; s <= b; ++s) owners[s] = n.id;
    }
  }
  return owners;
}

const NodeLine* NodeState::Myself() const {
  for (const NodeLine& l : view) {
    if (l.myself()) return &l;
  }
  return nullptr;
}

namespace {

CheckResult Fail(std::string name, std::string detail) {
  return CheckResult{std::move(name), false, std::move(detail)};
}

const NodeState* ByPort(const Snapshot& s, int port) {
  for (const NodeState& n : s.nodes) {
    if (n.port == port) return &n;
  }
  return nullptr;
}

std::string NameOf(const Snapshot& s, const std::vector<NodeLine>& view, const std::string& id) {
  for (const NodeLine& l : view) {
    if (l.id == id) {
      const NodeState* n = ByPort(s, l.port);
      return n != nullptr ? n->name : absl::StrCat("port ", l.port);
    }
  }
  return id.empty() ? "nobody" : id.substr(0, 8);
}

}  // namespace

CheckResult CheckReachable(const Snapshot& s) {
  for (const NodeState& n : s.nodes) {
    if (n.running && !n.reachable) {
      return Fail("reachability",
                  absl::StrCat(n.name, " (port ", n.port, ") does not answer: ", n.error));
    }
  }
  return {"reachability", true, ""};
}

CheckResult CheckSlotCoverage(const Snapshot& s) {
  for (const NodeState& n : s.nodes) {
    if (!n.reachable) continue;
    std::map<std::string, const NodeLine*> by_id;
    for (const NodeLine& l : n.view) by_id[l.id] = &l;
    const std::vector<std::string> owners = SlotOwners(n.view);
    for (int slot = 0; slot < kSlots; ++slot) {
      if (owners[slot].empty()) {
        int last = slot;
        while (last + 1 < kSlots && owners[last + 1].empty()) ++last;
        return Fail("slot_coverage", absl::StrCat(n.name, " sees no owner for slots ", slot, "-",
                                                  last, " (cluster_state:", n.cluster_state, ")"));
      }
      const NodeLine* owner = by_id[owners[slot]];
      if (!owner->primary() || owner->failed()) {
        return Fail(
            "slot_coverage",
            absl::StrCat(n.name, " sees slot ", slot, " owned by ", NameOf(s, n.view, owners[slot]),
                         owner->failed() ? ", flagged fail" : ", not a primary"));
      }
    }
  }
  return {"slot_coverage", true, ""};
}

CheckResult CheckSlotConflicts(const Snapshot& s) {
  std::vector<const NodeState*> claim(kSlots, nullptr);
  for (const NodeState& n : s.nodes) {
    if (!n.reachable) continue;
    const NodeLine* me = n.Myself();
    if (me == nullptr || !me->primary()) continue;
    for (const auto& [a, b] : me->slots) {
      for (int slot = a; slot <= b; ++slot) {
        if (claim[slot] != nullptr) {
          return Fail("slot_conflicts", absl::StrCat("slot ", slot, " is claimed by ",
                                                     claim[slot]->name, " and ", n.name));
        }
        claim[slot] = &n;
      }
    }
  }
  return {"slot_conflicts", true, ""};
}

CheckResult CheckAgreement(const Snapshot& s) {
  const NodeState* first = nullptr;
  std::vector<std::string> ref;
  for (const NodeState& n : s.nodes) {
    if (!n.reachable) continue;
    std::vector<std::string> owners = SlotOwners(n.view);
    if (first == nullptr) {
      first = &n;
      ref = std::move(owners);
      continue;
    }
    for (int slot = 0; slot < kSlots; ++slot) {
      if (owners[slot] != ref[slot]) {
        return Fail("convergence", absl::StrCat(first->name, " says slot ", slot, " is ",
                                                NameOf(s, first->view, ref[slot]), "'s, ", n.name,
                                                " says ", NameOf(s, n.view, owners[slot]), "'s"));
      }
    }
  }
  return {"convergence", true, ""};
}

CheckResult CheckReplicaLinks(const Snapshot& s) {
  std::map<std::string, int> replicating;  // primary id -> running replicas naming it
  for (const NodeState& n : s.nodes) {
    if (!n.running) continue;
    if (!n.reachable) {
      return Fail("replica_sync", n.name + " is not reachable: " + n.error);
    }
    const NodeLine* me = n.Myself();
    if (me == nullptr || me->primary()) continue;
    ++replicating[me->master_id];
    if (n.master_link_status != "up") {
      return Fail("replica_sync",
                  absl::StrCat(n.name, " is a replica whose link to its primary is ",
                               n.master_link_status.empty() ? "unknown" : n.master_link_status));
    }
  }
  for (const NodeState& n : s.nodes) {
    if (!n.reachable) continue;
    const NodeLine* me = n.Myself();
    if (me == nullptr || !me->primary()) continue;
    const int expected = replicating[me->id];
    // Replicas this primary knows of that are not running count too: a
    // replica that died is missing until it is back.
    int known = 0;
    for (const NodeLine& l : n.view) {
      if (!l.myself() && l.master_id == me->id && l.HasFlag("slave")) ++known;
    }
    const int want = std::max(expected, known);
    if (n.connected_slaves != want) {
      return Fail("replica_sync", absl::StrCat(n.name, " has ", n.connected_slaves,
                                               " connected replicas, ", want, " expected"));
    }
  }
  return {"replica_sync", true, ""};
}

CheckResult CheckReplicaOffsets(const Snapshot& before, const Snapshot& after) {
  for (const NodeState& n : after.nodes) {
    if (!n.reachable) continue;
    const NodeLine* me = n.Myself();
    if (me == nullptr || me->primary()) continue;
    for (const NodeState& p : before.nodes) {
      const NodeLine* pm = p.Myself();
      if (!p.reachable || pm == nullptr || pm->id != me->master_id) continue;
      if (n.slave_repl_offset < p.master_repl_offset) {
        return Fail("replica_sync",
                    absl::StrCat(n.name, " is at replication offset ", n.slave_repl_offset, ", ",
                                 p.name, " was at ", p.master_repl_offset));
      }
    }
  }
  return {"replica_sync", true, ""};
}

DataResult CheckData(const std::vector<WriteRecord>& writes) {
  DataResult r;
  r.check.name = "data_consistency";
  for (const WriteRecord& w : writes) {
    ++r.acknowledged;
    if (w.wait_acknowledged) ++r.wait_acknowledged;
    if (!w.read) {
      ++r.unreadable;
      if (r.check.ok) {
        r.check.ok = false;
        r.check.detail = absl::StrCat("key ", w.key, " cannot be read: ", w.read_error);
      }
      continue;
    }
    if (w.found && w.read_value == w.value) continue;
    if (!w.wait_acknowledged) {
      ++r.lost_async;
      continue;
    }
    ++r.lost_wait;
    if (r.check.ok) {
      r.check.ok = false;
      r.check.detail = w.found ? absl::StrCat("WAIT-acknowledged key ", w.key, " reads '",
                                              w.read_value, "', written '", w.value, "'")
                               : absl::StrCat("WAIT-acknowledged key ", w.key, " is gone");
    }
  }
  if (r.check.ok && r.lost_async > 0) {
    r.check.detail = absl::StrCat(r.lost_async,
                                  " writes acknowledged by the primary alone lost "
                                  "(asynchronous replication)");
  }
  return r;
}

}  // namespace respfuzz::cluster_chaos
