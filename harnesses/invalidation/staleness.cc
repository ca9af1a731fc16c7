#include "harnesses/invalidation/staleness.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"

namespace respfuzz::harnesses::invalidation {

using resp::Type;
using resp::Value;

bool InvalidationOf(resp::ReplyRef v, InFlightInvalidation* out) {
  auto stringish = [](resp::ReplyRef e) {
    return e.type() == Type::kBulkString || e.type() == Type::kSimpleString ||
           e.type() == Type::kVerbatim;
  };
  resp::ReplyRef payload = v;
  if (v.type() == Type::kPush && v.elem_count() == 2 && stringish(v.elem(0)) &&
      v.elem(0).str() == "invalidate") {
    payload = v.elem(1);
  } else if (v.type() == Type::kArray && v.elem_count() == 3 && stringish(v.elem(0)) &&
             v.elem(0).str() == "message" && stringish(v.elem(1)) &&
             v.elem(1).str() == "__redis__:invalidate") {
    payload = v.elem(2);
  } else {
    return false;
  }
  out->keys.clear();
  out->flush = payload.type() == Type::kNull || payload.type() == Type::kNullBulk ||
               payload.type() == Type::kNullArray;
  out->redir_broken = false;
  for (resp::ReplyRef k : payload.elems()) out->keys.emplace_back(k.str());
  return true;
}

bool RedirBrokenOf(resp::ReplyRef v, InFlightInvalidation* out) {
  if (v.type() != Type::kPush || v.elem_count() != 2 || v.elem(0).type() != Type::kBulkString ||
      v.elem(0).str() != "tracking-redir-broken") {
    return false;
  }
  out->keys.clear();
  out->flush = true;
  out->redir_broken = true;
  return true;
}

void CanonicalizeUnordered(const std::vector<std::string>& argv, Value* v) {
  if (v->type != Type::kArray && v->type != Type::kSet && v->type != Type::kMap) return;
  const std::string name = absl::AsciiStrToUpper(argv[0]);
  auto by_text = [](const auto& a, const auto& b) { return a.first < b.first; };
  if (name == "SMEMBERS" || name == "HKEYS" || name == "HVALS") {
    std::vector<std::pair<std::string, Value>> keyed;
    for (Value& e : v->elems) {
      std::string key = resp::ToDebugString(e);
      keyed.emplace_back(std::move(key), std::move(e));
    }
    std::sort(keyed.begin(), keyed.end(), by_text);
    v->elems.clear();
    for (auto& [k, e] : keyed) v->elems.push_back(std::move(e));
  } else if (name == "HGETALL" && v->elems.size() % 2 == 0) {
    std::vector<std::pair<std::string, std::pair<Value, Value>>> keyed;
    for (size_t i = 0; i < v->elems.size(); i += 2) {
      // The key first: the pair below moves the elements.
      std::string key =
          resp::ToDebugString(v->elems[i]) + "\x01" + resp::ToDebugString(v->elems[i + 1]);
      keyed.emplace_back(std::move(key),
                         std::make_pair(std::move(v->elems[i]), std::move(v->elems[i + 1])));
    }
    std::sort(keyed.begin(), keyed.end(), by_text);
    v->elems.clear();
    for (auto& [k, p] : keyed) {
      v->elems.push_back(std::move(p.first));
      v->elems.push_back(std::move(p.second));
    }
  }
}

std::optional<std::string> StaleHitAllowance(const HitFacts& f) {
  // (a) an invalidation for one of the keys, or a flush, not yet delivered;
  //     also one lost with its connection (killed) until the client sees
  //     that connection's EOF, and a tracking-redir-broken not yet delivered.
  for (int conn = 0; conn < 2; ++conn) {
    for (const auto* list : {f.in_flight[conn], f.lost[conn]}) {
      if (list == nullptr) continue;
      const std::string where = list == f.lost[conn]
                                    ? " was lost with its connection, EOF not yet seen"
                                    : " is not yet delivered";
      for (const InFlightInvalidation& inv : *list) {
        if (inv.redir_broken) return "a tracking-redir-broken" + where;
        if (inv.flush) return "a flush" + where;
        for (const std::string& k : f.keys) {
          if (std::find(inv.keys.begin(), inv.keys.end(), k) != inv.keys.end()) {
            return "an invalidation of " + k + where;
          }
        }
      }
    }
  }
  // (b) killed, EOF not yet seen: the data connection, or a RESP2 client's
  //     redirect connection (the server tells a RESP2 client nothing when
  //     its redirect connection is gone; a RESP3 one gets
  //     tracking-redir-broken instead of each invalidation, (a)).
  if (f.killed_unseen[cache::kDataConn]) return "the connection is dead, EOF not yet seen";
  if (f.killed_unseen[cache::kRedirectConn] && f.protocol == resp::Protocol::kResp2) {
    return "the redirect connection is dead, EOF not yet seen (RESP2: no push)";
  }
  // (c) BCAST: modified this turn, the array goes out at the tick; only for
  //     a key under a prefix the server has registered for the client, as it
  //     announces no other.
  if (f.mode == cache::Mode::kBcast && f.turn_keys != nullptr) {
    for (const std::string& k : f.keys) {
      const bool covered = std::any_of(f.bcast_prefixes.begin(), f.bcast_prefixes.end(),
                                       [&k](const std::string& p) { return k.starts_with(p); });
      if (covered && f.turn_keys->contains(k)) return "BCAST: " + k + " changed this turn";
    }
  }
  // (d) logically expired, still stored: no invalidation until deleted.
  if (f.expired_stored_and_equal_without_ttl) return "expired, not yet deleted";
  // (e) SWAPDB sends no invalidation (Redis 7.0.15).
  if (f.swap_exempt) return "SWAPDB since the cache last cleared";
  // (f) NOLOOP: the key expired, or left the table, during this client's own
  //     command, and the server skipped telling it (Redis 7.0.15).
  if (f.noloop_missed != nullptr) {
    for (const std::string& k : f.keys) {
      if (f.noloop_missed->contains(k)) {
        return "NOLOOP: " + k + " expired or was evicted during its own command, untold";
      }
    }
  }
  return std::nullopt;
}

}  // namespace respfuzz::harnesses::invalidation
