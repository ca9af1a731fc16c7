// Floor of invalidation: the program decoded as the harness decodes it and
// its ops run on what the harness puts under test, the engine with its
// tracker and one cache::ClientCache per client, with the bytes moved between
// them as the harness moves them (send, deliver, kill, reconnect, ...), and no
// check: no tracking reference model, no staleness check and its scratch
// engine, no framing parse, no Validate() (see bench/floors/README.md).
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "harnesses/invalidation/checks.h"
#include "harnesses/invalidation/program.h"
#include "src/cache/client_cache.h"
#include "src/engine/engine.h"
#include "src/resp/request.h"

namespace {

using namespace respfuzz;
using namespace respfuzz::harnesses::invalidation;

struct Conn {
  bool open = false;
  int session = -1;
  std::string down;  // server -> client bytes not yet delivered
  resp::RequestParser parser;
  std::vector<resp::Request> requests;
};

struct Client {
  ClientSpec spec;
  std::unique_ptr<cache::ClientCache> cache;
  bool killed_unseen = false;
};

class FloorRunner {
 public:
  explicit FloorRunner(const Program& p) : program_(p), eng_(EngineOptionsOf()) {}

  void Run() {
    Open(kAdminSlot);
    RunCommand(kAdminSlot, {"HELLO", "3"});
    for (size_t i = 0; i < program_.clients.size(); ++i) {
      clients_[i].spec = program_.clients[i];
      clients_[i].cache = std::make_unique<cache::ClientCache>(CacheOptionsOf(clients_[i].spec));
      ConnectClient(static_cast<int>(i));
    }
    for (const Op& op : program_.ops) {
      RunOp(op);
      for (size_t i = 0; i < program_.clients.size(); ++i) clients_[i].cache->TakeReplies();
    }
  }

 private:
  // The harness's engine (RunOptions' defaults).
  static engine::EngineOptions EngineOptionsOf() {
    const RunOptions defaults;
    engine::EngineOptions eo;
    eo.start_ms = defaults.start_ms;
    eo.max_string_len = defaults.max_string_len;
    return eo;
  }

  void Open(int slot) {
    Conn& c = conns_[slot];
    c.down.clear();
    c.parser.Reset();
    c.open = true;
    c.session = eng_.OpenSession();
  }

  void CloseServerSide(int slot) {
    Conn& c = conns_[slot];
    if (!c.open) return;
    eng_.CloseSession(c.session);
    c.open = false;
    c.down.clear();
  }

  void ConnectClient(int i) {
    Client& cl = clients_[i];
    for (int conn = 0; conn < cl.cache->connections(); ++conn) Open(2 * i + conn);
    cl.cache->Connect();
    cl.killed_unseen = false;
  }

  void RunCommand(int slot, const std::vector<std::string>& argv) {
    eng_.Run(conns_[slot].session, argv);
    Collect();
  }

  // Every byte the engine wrote goes to its connection's queue (the admin's
  // nobody reads).
  void Collect() {
    eng_.TakeNotified();
    for (int killed : eng_.TakeKilled()) {
      for (Conn& c : conns_) {
        if (c.open && c.session == killed) c.open = false;
      }
    }
    for (int s = 0; s < kSlots; ++s) {
      Conn& c = conns_[s];
      if (!c.open || eng_.PendingOutput(c.session).empty()) continue;
      if (s == kAdminSlot) {
        eng_.TakeOutput(c.session);
      } else {
        eng_.AppendOutput(c.session, &c.down);
      }
    }
  }

  bool SendClient(int i) {
    Client& cl = clients_[i];
    bool moved = false;
    for (int conn = 0; conn < 2; ++conn) {
      if (!cl.cache->HasOutput(conn)) continue;
      const std::string bytes = cl.cache->TakeOutput(conn);
      moved = true;
      Conn& c = conns_[2 * i + conn];
      if (!c.open || !c.parser.Feed(bytes, &c.requests)) continue;
      for (const resp::Request& r : c.requests) {
        if (!c.open) break;
        RunCommand(2 * i + conn, r.argv);
      }
      c.parser.Recycle(&c.requests);
    }
    return moved;
  }

  bool Deliver(int i, int conn, size_t n) {
    Client& cl = clients_[i];
    if (conn >= cl.cache->connections()) return false;
    Conn& c = conns_[2 * i + conn];
    if (c.down.empty()) {
      if (!c.open && cl.killed_unseen) {
        cl.cache->OnEof(conn);
        cl.killed_unseen = false;
        return true;
      }
      return false;
    }
    const size_t m = std::min(n, c.down.size());
    const std::string piece = c.down.substr(0, m);
    c.down.erase(0, m);
    cl.cache->OnBytes(conn, piece).IgnoreError();
    return true;
  }

  bool CloseClient(int i) {
    bool any = false;
    for (int conn = 0; conn < 2; ++conn) {
      if (!conns_[2 * i + conn].open) continue;
      any = true;
      CloseServerSide(2 * i + conn);
    }
    Collect();
    return any;
  }

  void RunOp(const Op& op) {
    const int i = op.client;
    switch (op.kind) {
      case OpKind::kRead:
      case OpKind::kWrite:
        clients_[i].cache->Submit(op.argv).IgnoreError();
        break;
      case OpKind::kMulti:
        clients_[i].cache->Submit({"MULTI"}).IgnoreError();
        break;
      case OpKind::kExec:
        clients_[i].cache->Submit({"EXEC"}).IgnoreError();
        break;
      case OpKind::kTrackingOff:
        clients_[i].cache->TrackingOff().IgnoreError();
        break;
      case OpKind::kTrackingOn:
        clients_[i].cache->AddPrefixes(op.prefixes).IgnoreError();
        break;
      case OpKind::kSend:
        SendClient(i);
        break;
      case OpKind::kDeliver:
        Deliver(i, op.conn, op.bytes);
        break;
      case OpKind::kDeliverAll:
        for (int round = 0; round < kMaxDeliverAllRounds; ++round) {
          bool moved = false;
          for (size_t k = 0; k < program_.clients.size(); ++k) {
            moved = SendClient(static_cast<int>(k)) || moved;
          }
          for (size_t k = 0; k < program_.clients.size(); ++k) {
            for (int conn = 0; conn < 2; ++conn) {
              moved = Deliver(static_cast<int>(k), conn, SIZE_MAX) || moved;
            }
          }
          if (!moved) break;
        }
        break;
      case OpKind::kKill:
        if (CloseClient(i) && clients_[i].cache->state() != cache::State::kDisconnected) {
          clients_[i].killed_unseen = true;
        }
        break;
      case OpKind::kReconnect: {
        Client& cl = clients_[i];
        CloseClient(i);
        if (!(op.spec == cl.spec)) {
          cl.spec = op.spec;
          cl.cache = std::make_unique<cache::ClientCache>(CacheOptionsOf(op.spec));
        }
        ConnectClient(i);
        Collect();
        break;
      }
      case OpKind::kClock:
        eng_.AdvanceClock(op.clock_ms);
        Collect();
        break;
      case OpKind::kActiveExpire:
        eng_.ExpireAllDue();
        Collect();
        break;
      case OpKind::kConfigTableMaxKeys:
      case OpKind::kFlushall:
      case OpKind::kSwapdb:
        RunCommand(kAdminSlot, AdminCommand(op));
        break;
      case OpKind::kTick:
        eng_.Cron();
        eng_.EndTurn();
        Collect();
        break;
    }
  }

  const Program& program_;
  engine::Engine eng_;
  std::array<Conn, kSlots> conns_;
  std::array<Client, kMaxClients> clients_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Program program =
      DecodeProgram(std::string_view(reinterpret_cast<const char*>(data), size));
  FloorRunner(program).Run();
  return 0;
}
