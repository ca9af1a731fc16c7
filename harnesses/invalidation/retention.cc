// The retention check (retention.h).
#include "harnesses/invalidation/retention.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "harnesses/invalidation/runner.h"

namespace respfuzz::harnesses::invalidation {
namespace {

// Writes that change keys they do not name, or the connection's db, or the
// whole connection: every entry may go when the cache sends one.
bool DropsAnything(const std::vector<std::string>& argv) {
  if (argv.empty()) return true;
  const std::string name = absl::AsciiStrToUpper(argv[0]);
  for (const char* n : {"FLUSHALL", "FLUSHDB", "SWAPDB", "SELECT", "RESET", "EVAL", "EVALSHA",
                        "EVAL_RO", "EVALSHA_RO", "FCALL", "FCALL_RO", "DEBUG"}) {
    if (name == n) return true;
  }
  return false;
}

}  // namespace

void Retention::Delivered(const InFlightInvalidation& inv) {
  if (inv.flush || inv.redir_broken) flushed_ = true;
  invalidated_.insert(inv.keys.begin(), inv.keys.end());
}

std::string Retention::AfterOp(const Op* op, int client, const cache::ClientCache& cache) {
  const bool mine = op != nullptr && op->client == client;
  bool all = flushed_ || &cache != cache_ || !cache.ready();
  if (mine && (op->kind == OpKind::kReconnect || op->kind == OpKind::kTrackingOff)) all = true;
  // A blocking command is a write (blocking_ops.cc sends it as one).
  if (mine && (op->kind == OpKind::kWrite || op->kind == OpKind::kBlock)) {
    if (DropsAnything(op->argv)) own_all_ = true;
    own_words_.insert(op->argv.begin(), op->argv.end());
  }
  all = all || own_all_;
  std::string why;
  if (!all) {
    size_t dropped = 0;
    std::string first;
    for (size_t j = 0; j < reads_.size(); ++j) {
      if (!held_[j] || cache.Contains(reads_[j])) continue;
      const std::vector<std::string>& argv = reads_[j];
      const bool named = std::any_of(argv.begin() + 1, argv.end(), [&](const std::string& w) {
        return invalidated_.contains(w) || own_words_.contains(w);
      });
      if (named) continue;
      if (++dropped == 1) first = absl::StrJoin(argv, " ");
    }
    const uint64_t evicted = cache.stats().evictions - evictions_;
    if (dropped > evicted) {
      why = absl::StrCat(
          "c", client + 1, " dropped ", dropped, " entr", dropped == 1 ? "y" : "ies",
          " (the first: ", first, ") with ", evicted,
          " evicted, and no flush, reconnect, invalidation or own write of their keys");
    }
  }
  // What the cache holds now, for the next op.
  if (mine && op->kind == OpKind::kRead && reads_.size() < kMaxRetentionReads &&
      std::find(reads_.begin(), reads_.end(), op->argv) == reads_.end()) {
    reads_.push_back(op->argv);
  }
  held_.resize(reads_.size());
  for (size_t j = 0; j < reads_.size(); ++j) held_[j] = cache.Contains(reads_[j]);
  cache_ = &cache;
  evictions_ = cache.stats().evictions;
  invalidated_.clear();
  flushed_ = false;
  if (cache.pending() == 0) {
    own_words_.clear();
    own_all_ = false;
  }
  return why;
}

// The runner's side: after every op, each client (checks.h).
void Runner::CheckRetention(int i) {
  const Op* op = op_ < program_.ops.size() ? &program_.ops[op_] : nullptr;
  const std::string why = clients_[i].retention.AfterOp(op, i, *clients_[i].cache);
  if (!why.empty()) Fail("retention", why);
}

}  // namespace respfuzz::harnesses::invalidation
