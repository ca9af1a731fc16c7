// server::Server: a single-threaded, event-driven RESP server in front of
// engine::Engine and resp::RequestParser. Its socket calls go through a
// Transport (transport.h): epoll and non-blocking sockets by default, or a
// simulated transport a program drives turn by turn (sim_transport.h).
//
//   Server server(options);
//   absl::Status st = server.Listen();   // binds; server.port() is now known
//   std::thread t([&] { server.Run(); });
//   ...
//   server.Stop();                       // from any thread or a signal handler
//   t.join();
//
// One engine session per connection (closed on disconnect). Each read is fed
// to the connection's RequestParser; the complete requests in it run in
// order and their replies are appended to the connection's one output
// string, which is written once per event-loop iteration (EPOLLOUT only
// while the socket is full). Once a turn's replies to one client reach
// turn_output_budget, its remaining requests wait for the next turn (its
// socket is not read meanwhile), so a client that pipelines requests with
// big replies cannot make the others wait for more than that much work
// (redis-server runs all of them). As redis-server does:
//   - a protocol error replies "-ERR <RequestError.message>" after the
//     replies of the requests before it, then the connection is closed once
//     its output is flushed; nothing after the error is read;
//   - QUIT (any arguments, even inside MULTI) replies +OK and closes after
//     the reply; the requests after it are not run;
//   - more than max_clients connections: "-ERR max number of clients
//     reached" and close;
//   - a connection whose unsent output would exceed max_output_buffer (its
//     client-output-buffer-limit, a hard limit) is closed at once, its
//     pending output dropped.
// Client tracking's pushes (invalidations to other connections) are queued
// by the engine in the target session's output; after each command the
// server moves them to their connections, and once per loop turn it ends the
// engine's turn (BCAST invalidations). CLIENT KILL closes the killed
// connections at once (their unsent output is dropped); a connection that
// kills itself is closed after its reply.
// The server layer also answers CONFIG GET (server_commands.h) for clients
// such as redis-benchmark. The engine's virtual clock follows the wall clock
// (advanced before each batch of commands), and expired keys are deleted
// every kActiveExpireIntervalMs.
#ifndef RESPFUZZ_SERVER_SERVER_H_
#define RESPFUZZ_SERVER_SERVER_H_

#include <signal.h>
#include <sys/epoll.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "src/engine/engine.h"
#include "src/resp/request.h"
#include "src/server/server_commands.h"
#include "src/server/transport.h"

namespace respfuzz::server {

struct ServerOptions {
  // client-output-buffer-limit for normal clients (Redis's default there is
  // no limit; respfuzz caps every client).
  static constexpr size_t kDefaultMaxOutputBuffer = 64 * 1024 * 1024;
  // Redis's maxclients default.
  static constexpr int kDefaultMaxClients = 10000;
  // Reply bytes one client's requests may produce per event-loop turn before
  // the rest of its parsed requests wait for the next turn (see
  // Server::RunRequests); as Redis's NET_MAX_WRITES_PER_EVENT bounds the
  // bytes written to one client per event, 64 KiB.
  static constexpr size_t kDefaultTurnOutputBudget = 64 * 1024;
  // Once a client's reply buffer holds this much, later replies queue in
  // blocks of about this size (Redis: a list of 16 KiB reply blocks).
  static constexpr size_t kDefaultOutputBlock = 1 << 20;
  // A client's sent prefix is dropped from its reply buffer once it is at
  // least this much and most of the buffer (see Server::Flush).
  static constexpr size_t kDefaultCompactSent = 64 * 1024;

  std::string bind = "127.0.0.1";  // a numeric IPv4 or IPv6 address
  uint16_t port = 6379;            // 0: the kernel picks a free port (see Server::port())
  size_t max_output_buffer = kDefaultMaxOutputBuffer;  // unsent reply bytes per client
  // At least one request runs per turn whatever this is; SIZE_MAX: a read's
  // requests all run in the turn that read them.
  size_t turn_output_budget = kDefaultTurnOutputBudget;
  // Appending a reply copies at most the reply and one block, however much
  // the client is owed (one growing string would copy all of it at each
  // doubling: 64 MiB in one turn for a client near the cap).
  size_t output_block = kDefaultOutputBlock;
  // Tests and harnesses set it small so the path runs with small replies.
  size_t compact_sent = kDefaultCompactSent;
  // An idle client's buffers bigger than this are freed at a cron
  // (TrimIdleClients; Redis's PROTO_REPLY_CHUNK_BYTES). Harnesses set it
  // below their output cap so the path runs with a reply still unsent.
  static constexpr size_t kDefaultIdleOutputCapacity = 16 * 1024;
  size_t idle_output_capacity = kDefaultIdleOutputCapacity;
  int max_clients = kDefaultMaxClients;
  // Start from the append-only file of the working directory instead of
  // dump.rdb, with the AOF on (redis-server's appendonly yes at start;
  // Server::LoadDataFromDisk).
  bool appendonly = false;
  resp::RequestLimits request_limits;  // inline/header line, multibulk count, bulk length
  // The engine's options; start_ms is ignored: the clock starts at the wall
  // clock's time and follows it.
  engine::EngineOptions engine;
  // Where the server's warnings go (a CONFIG SET port it could not listen
  // on: Redis's "Check server logs."); RunServer prints them to stderr,
  // unset they are dropped (harnesses do no I/O).
  std::function<void(const std::string& line)> on_warning;
  // RunServer only: called with the bound port once listening.
  std::function<void(uint16_t port)> on_listening;
  // What INFO (and MEMORY STATS's rss) reports about the process: unset,
  // this process's own (uname, pid, /proc/self, the allocator, getrusage);
  // harnesses set fixed values, so INFO is the same in every run and reads
  // no file. Its tcp_port and maxclients are the server's either way.
  std::optional<engine::ServerInfo> process_info;
};

// Counters since Listen(); safe to read from any thread at any time.
struct ServerStats {
  uint64_t connections = 0;               // accepted (not counting max_clients rejections)
  uint64_t open_connections = 0;          // now
  uint64_t commands = 0;                  // requests run (QUIT and CONFIG included)
  uint64_t protocol_errors = 0;           // connections closed by a protocol error
  uint64_t output_limit_disconnects = 0;  // connections closed past max_output_buffer
  uint64_t rejected_connections = 0;      // refused: max_clients reached
  uint64_t reads = 0;                     // read() calls that returned data
  uint64_t writes = 0;                    // writes that wrote something (every one:
                                          // replies, last words, the max-clients line)
  uint64_t memory_trims = 0;              // free heap returned after the keys halved
};

// The server is the engine's BusyHost (busy scripts: while a script runs
// past busy-reply-threshold, the other clients are served from inside it;
// ProcessEventsWhileBlocked).
// It is also the engine's PersistHost: SAVE's file goes through the
// transport (Transport::WriteFileAtomically), SHUTDOWN stops the loop.
class Server : private engine::BusyHost,
               private engine::PersistHost,
               private engine::ListenHost,
               private engine::NetHost {
 public:
  // Reply buffers. Each reply is built in the engine session's buffer and
  // swapped into the client's when that is empty; once sent, the emptied
  // buffer goes back to the session for the next reply, so a client that
  // waits for each reply has one buffer, kept (cleared) for reuse. A client
  // keeps up to kMaxOutputCapacity while it is busy; once it has been idle
  // for a whole cron interval (kActiveExpireIntervalMs), its buffers are
  // freed if bigger than ServerOptions::idle_output_capacity (Redis's static reply
  // buffer, PROTO_REPLY_CHUNK_BYTES), as redis-server's clientsCron shrinks
  // idle clients' buffers. With two buffers of up to 1 MiB kept for good,
  // 1,000 clients that had read 100 KB values held 200 MB more than
  // redis-server; freeing every big buffer after each write instead made
  // those reads ~5x more expensive (malloc and fresh pages per reply).
  static constexpr size_t kMaxOutputCapacity = 1 << 20;
  // Bytes per read() (Redis reads PROTO_IOBUF_LEN = 16 KiB).
  static constexpr size_t kReadChunk = 64 * 1024;
  // Redis's default hz is 10: its cron (active expiry) runs every 100 ms.
  static constexpr int kActiveExpireIntervalMs = 100;
  // Freed memory: glibc's malloc keeps what a FLUSHALL of 1M keys freed
  // (RSS stayed at 1.1 GB; redis-server's jemalloc gives it back). At a
  // cron, when the keys (all dbs) have fallen to half of their peak since
  // the last trim or less, with a peak of at least kTrimMinKeys, the free
  // heap goes back to the system (malloc_trim: tens of ms for a GiB heap,
  // once per halving).
  static constexpr size_t kTrimMinKeys = 4096;

  // Sockets by default; a test or a harness passes its own transport (a
  // simulated one, see sim_transport.h).
  explicit Server(ServerOptions options, std::unique_ptr<Transport> transport = nullptr);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Creates the listening socket (SO_REUSEADDR) and the event loop. Errors
  // name the address, e.g. "cannot listen on 127.0.0.1:6379: Address already
  // in use".
  absl::Status Listen();
  // The bound port (the chosen one when options.port is 0); 0 before Listen().
  uint16_t port() const { return port_; }
  // "127.0.0.1:6379", "[::1]:6379".
  std::string address() const;

  // loadDataFromDisk: the working directory's dbfilename (dump.rdb), if
  // there is one, into the engine (Engine::LoadRdb). Call after Listen(),
  // before Run(). An error says why the file could not be read or loaded.
  absl::Status LoadDataFromDisk();
  // Serves until Stop(); then closes the listener and every client (pending
  // output gets one last non-blocking write) and returns. Call once, after a
  // successful Listen().
  absl::Status Run();
  // Makes Run() return. Thread-safe and async-signal-safe (writes one byte to
  // a pipe); may be called before Run().
  void Stop();

  // One turn of the event loop, what Run() repeats until Stop(): wait for
  // readiness (at most until the next active expiry), accept, read and run
  // requests, end the engine's turn, then one write per client with output.
  // For a caller that drives the loop itself (a simulated transport). After
  // a Stop() the turn only notices it (stopping() turns true).
  absl::Status Turn();
  bool stopping() const { return stopping_; }
  // A client's SHUTDOWN stopped the server (stopping() is true too).
  bool shutdown_requested() const { return shutdown_requested_; }
  // What Run() does once stopped: closes the listener, then every client
  // after one last non-blocking write of what it is owed (none after a
  // SHUTDOWN: redis-server exits inside the command, so what it had not
  // written yet is lost).
  void Shutdown();

  ServerStats stats() const;
  const ServerOptions& options() const { return options_; }
  // For checks over the loop's state: the engine, and each open client.
  const engine::Engine& engine() const { return engine_; }
  struct ClientInfo {
    int handle = -1;  // the transport's
    int session = -1;
    size_t unsent = 0;  // reply bytes not yet written
    uint32_t events = 0;
    size_t out_capacity = 0;  // the reply buffer's capacity
    size_t queued = 0;        // parsed requests waiting for a later turn
  };
  std::vector<ClientInfo> Clients() const;
  // Clients whose parsed requests wait for the next turn (it will not block).
  size_t queued_clients() const { return queued_.size(); }
  // The same into *out, reusing its capacity (a harness asks after every turn).
  void Clients(std::vector<ClientInfo>* out) const;

 private:
  struct Client;
  struct Counters {
    std::atomic<uint64_t> connections{0}, open_connections{0}, commands{0}, protocol_errors{0},
        output_limit_disconnects{0}, rejected_connections{0}, reads{0}, writes{0}, memory_trims{0};
  };
  friend class StopOnSignals;

  void Accept();
  void AcceptOne(int handle, std::string peer, std::string local);
  void OnReadable(Client* c);
  // Runs the client's parsed requests in order until they are done or this
  // turn's replies to it reach options_.turn_output_budget; what is left
  // waits (the client in queued_, its socket not read) for the next turn.
  // False when the client was closed.
  bool RunRequests(Client* c);
  // After RunRequests: once no request is left, the protocol error (if the
  // parse failed), reading again, and the flush.
  void AfterRequests(Client* c);
  // At the start of a turn: each client that had requests left at the end
  // of the last one runs them, in the order they were left.
  void RunQueued();
  // Gives argv away to the engine (Engine::ExecuteOwned): SET and its kin
  // store the parser's argument strings without a copy.
  void RunOne(Client* c, std::vector<std::string>& argv);
  void Flush(Client* c);
  // Where the next reply to c goes (see ServerOptions::output_block).
  std::string* Tail(Client* c);
  // Calls write(out) on Tail(c), counting what it appends to a block.
  template <typename Write>
  void AppendTo(Client* c, Write&& write);
  // Writes c's unsent bytes, buffer after buffer, until the socket is full;
  // false on an error other than EAGAIN.
  bool SendPending(Client* c);
  // Every write goes through here (ServerStats::writes counts each that
  // wrote something).
  ssize_t Send(int handle, const char* data, size_t len);
  void MarkPending(Client* c);
  void SetEvents(Client* c, uint32_t events);
  void Close(Client* c);
  // Every kActiveExpireIntervalMs: frees the big reply buffers of clients
  // that were idle since the last call.
  void TrimIdleClients();
  // Every kActiveExpireIntervalMs: malloc_trim once the keys have halved.
  void TrimFreedMemory();
  void UpdateClock();
  // After each command and each loop turn: pushes the engine queued for
  // other sessions go to their clients, and sessions CLIENT KILL closed
  // lose their connections.
  void DeliverEngineOutput();

  // engine::BusyHost: the transport's clock, and one turn
  // of accepts, reads and writes for every client but the script's caller.
  int64_t BusyClockMs() override;
  int64_t MonotonicMs() override { return transport_->MonotonicMs(); }
  bool ProcessEventsWhileBlocked(int running) override;
  void SleepMicros(int64_t us) override { transport_->Sleep(us); }
  int64_t WallClockMs() override { return transport_->WallClockMs(); }
  std::vector<Readiness> busy_events_;  // Wait's reports inside a script (events_ is in use)
  // engine::PersistHost: the file through the transport; SHUTDOWN stops
  // running requests at once and makes Run() return after this turn.
  bool WriteRdb(std::string_view filename, std::string_view rdb) override;
  bool ReadRdb(std::string_view filename, std::string* out) override;
  bool MakeDir(std::string_view path) override;
  bool AppendFile(std::string_view path, std::string_view bytes) override;
  bool RemoveFile(std::string_view path) override;
  void LogWarning(const std::string& line) override {
    if (options_.on_warning) options_.on_warning(line);
  }
  void RequestShutdown() override;
  // engine::ListenHost: CONFIG SET port moves the transport's listener.
  std::string ChangeListenPort(int port) override;
  // engine::NetHost: MIGRATE's target connections through the transport.
  int BlockingConnect(const std::string& host, int port, int64_t timeout_ms) override {
    return transport_->BlockingConnect(host, port, timeout_ms);
  }
  int SyncWrite(int conn, std::string_view bytes, int64_t timeout_ms) override {
    return transport_->SyncWrite(conn, bytes, timeout_ms);
  }
  int SyncRead(int conn, char* buf, size_t len, int64_t timeout_ms) override {
    return transport_->SyncRead(conn, buf, len, timeout_ms);
  }
  void CloseConnection(int conn) override { transport_->CloseOutbound(conn); }
  bool shutdown_requested_ = false;

  ServerOptions options_;
  std::unique_ptr<Transport> transport_;  // before engine_: its clock starts the engine's
  engine::Engine engine_;
  bool listening_ = false;
  bool started_ = false;  // the first Turn() ran (the expire timer is set)
  uint16_t port_ = 0;
  bool stopping_ = false;
  int64_t next_expire_ms_ = 0;
  size_t peak_keys_ = 0;  // since the last memory trim

  std::vector<Client*> by_session_;                 // engine session handle -> its client
  std::vector<std::unique_ptr<Client>> clients_;    // open clients; Client::slot is the index
  std::vector<std::unique_ptr<Client>> graveyard_;  // closed this iteration, freed after it
  std::vector<Client*> pending_;                    // clients with output to write
  std::vector<Client*> queued_;                     // clients with requests left to run
  std::vector<Client*> running_;                    // RunQueued's copy of queued_
  // kReadChunk bytes, not zeroed: a harness builds a Server per input.
  std::unique_ptr<char[]> read_buf_ = std::make_unique_for_overwrite<char[]>(kReadChunk);
  std::vector<Readiness> events_;
  Counters counters_;
};

// While alive, SIGINT and SIGTERM call server->Stop() (the previous handlers
// come back on destruction). One at a time per process.
class StopOnSignals {
 public:
  explicit StopOnSignals(Server* server);
  ~StopOnSignals();
  StopOnSignals(const StopOnSignals&) = delete;
  StopOnSignals& operator=(const StopOnSignals&) = delete;

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

// `respfuzz serve`: Listen(), print "respfuzz serve: listening on ADDR" to
// stderr, serve until SIGINT/SIGTERM, then print one summary line to stderr
// ("respfuzz serve: stopped: N connections, N commands served, ...") and
// return 0. If listening fails, prints "respfuzz: serve: <why>" and returns 2;
// an event-loop failure prints the error and returns 1.
// The server's own CONFIG parameters (appendonly, bind, ..., save) for a
// server with `options` listening on `port`, as Listen() gives them to its
// engine (the connection harness's direct run gives its engine the same).
std::vector<std::pair<std::string, std::string>> ServerParams(const ServerOptions& options,
                                                              uint16_t port);
// What INFO reports about the process of a server with `options` listening
// on `port`, as Listen() gives it to its engine (options.process_info, or
// this process's own).
engine::ServerInfo ServerInfoFor(const ServerOptions& options, uint16_t port);

int RunServer(const ServerOptions& options);

}  // namespace respfuzz::server

#endif  // RESPFUZZ_SERVER_SERVER_H_
