// A client's query buffer as Redis 7.0.15 sizes it (c->querybuf: CLIENT
// LIST's qbuf and qbuf-free, and its allocation in tot-mem), after
// networking.c's readQueryFromClient and processMultibulkBuffer, server.c's
// clientsCronResizeQueryBuffer and sds.c's growth and resizing, on jemalloc's
// size classes. The engine has no such buffer: it receives whole commands,
// so each command is modeled as arriving whole and alone, all its RESP bytes
// waiting when the server reads, and read as readQueryFromClient reads them:
// in one read when they fit the buffer's room (any command under 16 KiB),
// a big argument's bulk in a read of its own. On a real server pipelined
// commands share reads and a command that arrives in pieces is read in
// other pieces, which can leave other sizes (docs/fidelity.md, "CLIENT
// SETNAME / GETNAME / INFO / LIST").
#ifndef RESPFUZZ_ENGINE_QUERY_BUFFER_H_
#define RESPFUZZ_ENGINE_QUERY_BUFFER_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace respfuzz::engine {

// What jemalloc gives for a request of n bytes (zmalloc_usable's usable
// size): its size class, four per doubling above 128 bytes.
size_t JemallocUsable(size_t n);

struct QueryBuffer {
  // sdslen: the bytes it holds (the running command's while it runs, none
  // between commands here); sdsalloc: its usable size (qbuf + qbuf-free);
  // the allocation jemalloc made (sdsZmallocSize, in tot-mem); the sds
  // header's size (its type); querybuf_peak. createClient's sdsempty: a
  // type-8 header and the NUL in an 8-byte allocation, 4 bytes usable.
  size_t len = 0, alloc = 4, mem = 8, header = 3, peak = 0;

  // A command of these arguments arrives (RESP multibulk) and is parsed.
  void Read(std::span<const std::string> argv);
  // The command ran: processInputBuffer trims what it parsed.
  void Consume() { len = 0; }
  // clientsCronResizeQueryBuffer for a client idle `idle_s` whole seconds.
  void CronResize(int64_t idle_s);

 private:
  void MakeRoom(size_t addlen, bool greedy);  // sdsMakeRoomFor(NonGreedy)
  void Resize(size_t size);                   // sdsResize(s, size, 1)
  void NewEmpty(size_t size);                 // sdsnewlen(SDS_NOINIT, size) + sdsclear
};

}  // namespace respfuzz::engine

#endif  // RESPFUZZ_ENGINE_QUERY_BUFFER_H_
