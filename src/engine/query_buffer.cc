// The query buffer's sizes (query_buffer.h): Redis 7.0.15's rules, written
// from networking.c, server.c and sds.c.
#include "src/engine/query_buffer.h"

#include <algorithm>
#include <cstdint>
#include <limits>

namespace respfuzz::engine {

size_t JemallocUsable(size_t n) {
  if (n <= 8) return 8;
  if (n <= 128) return (n + 15) / 16 * 16;
  size_t lg = 0;
  while ((size_t{1} << (lg + 1)) < n) ++lg;  // 2^lg < n <= 2^(lg + 1)
  const size_t delta = size_t{1} << (lg - 2);
  return (n + delta - 1) / delta * delta;
}

namespace {

constexpr size_t kIoBufLen = 16 * 1024;           // PROTO_IOBUF_LEN
constexpr size_t kMbulkBigArg = 32 * 1024;        // PROTO_MBULK_BIG_ARG
constexpr size_t kResizeThreshold = 32 * 1024;    // PROTO_RESIZE_THRESHOLD
constexpr size_t kMaxPrealloc = 1024 * 1024;      // SDS_MAX_PREALLOC
constexpr size_t kCronWasteThreshold = 4 * 1024;  // "wasting at least a few kbytes"

// sdsReqType's header size for a string of n bytes, never type 5 (a buffer
// that is appended to: sdsMakeRoomFor, sdsResize with would_regrow, and a
// big argument's fresh buffer, which is over 32 KiB).
size_t HeaderFor(size_t n) {
  if (n < (size_t{1} << 8)) return 3;   // sdshdr8
  if (n < (size_t{1} << 16)) return 5;  // sdshdr16
  if (n < (size_t{1} << 32)) return 9;  // sdshdr32
  return 17;                            // sdshdr64
}

// sdsTypeMaxSize: the most an sds of that header records as its alloc.
size_t TypeMax(size_t header) {
  switch (header) {
    case 3:
      return 255;
    case 5:
      return 65535;
    case 9:
      return (size_t{1} << 32) - 1;
    default:
      return std::numeric_limits<size_t>::max();
  }
}

size_t Digits(size_t n) {
  size_t d = 1;
  for (; n >= 10; n /= 10) ++d;
  return d;
}

}  // namespace

// _sdsMakeRoomFor: nothing when the room is there; else len + addlen,
// doubled when greedy (or 1 MiB more past 1 MiB), in the header that fits
// it, the usable size being what jemalloc gave less the header and the NUL.
void QueryBuffer::MakeRoom(size_t addlen, bool greedy) {
  if (alloc - len >= addlen) return;
  size_t newlen = len + addlen;
  if (greedy) newlen = newlen < kMaxPrealloc ? newlen * 2 : newlen + kMaxPrealloc;
  header = HeaderFor(newlen);
  mem = JemallocUsable(header + newlen + 1);
  alloc = std::min(mem - header - 1, TypeMax(header));
}

// sdsResize(s, size, 1): the alloc recorded is `size` itself (not the
// allocator's class); the header stays when the new type is the same, or a
// smaller one above type 8 (realloc), else the string moves to the new one.
void QueryBuffer::Resize(size_t size) {
  if (alloc == size) return;
  const size_t fits = HeaderFor(size);
  if (!(fits == header || (fits < header && fits > 3))) header = fits;
  mem = JemallocUsable(header + size + 1);
  len = std::min(len, size);
  alloc = size;
}

// processMultibulkBuffer's fresh buffer after a big argument took the old
// one: sdsnewlen(SDS_NOINIT, size), then sdsclear.
void QueryBuffer::NewEmpty(size_t size) {
  header = HeaderFor(size);
  mem = JemallocUsable(header + size + 1);
  alloc = std::min(mem - header - 1, TypeMax(header));
  len = 0;
}

// The command's bytes are all there to be read (query_buffer.h). Each
// readQueryFromClient read: PROTO_IOBUF_LEN bytes into room made non-greedy
// while the buffer is smaller than that, else greedy and as much as fits;
// while a big argument's bulk is pending, just what remains of it, into
// room made non-greedy. Then processMultibulkBuffer parses what is whole:
// at a big argument's header, when what is left unparsed is at most its
// bulk, the buffer is trimmed to the bulk's start and made room for exactly;
// a big bulk that is then the whole buffer becomes the argument itself and
// a fresh buffer of its size follows. What was parsed is trimmed after
// each read, until the command is whole; it runs with its bytes in the
// buffer (Consume trims them).
void QueryBuffer::Read(std::span<const std::string> argv) {
  const size_t mbulk_header = 1 + Digits(argv.size()) + 2;  // "*<argc>\r\n"
  size_t total = mbulk_header;
  for (const std::string& a : argv) total += 1 + Digits(a.size()) + 2 + a.size() + 2;
  size_t delivered = 0, pos = 0, arg = 0;  // pos: c->qb_pos
  bool mbulk_parsed = false, bulk_header_parsed = false;
  while (true) {
    size_t readlen = kIoBufLen;
    const bool big_arg =
        bulk_header_parsed && arg < argv.size() && argv[arg].size() >= kMbulkBigArg;
    if (big_arg) {
      const size_t have = len - pos, want = argv[arg].size() + 2;
      if (want > have) readlen = want - have;
    }
    if (big_arg || alloc < kIoBufLen) {
      MakeRoom(readlen, false);
    } else {
      MakeRoom(readlen, true);
      readlen = alloc - len;
    }
    const size_t n = std::min(readlen, total - delivered);
    delivered += n;
    len += n;
    peak = std::max(peak, len);
    if (!mbulk_parsed && len - pos >= mbulk_header) {
      pos += mbulk_header;
      mbulk_parsed = true;
    }
    while (mbulk_parsed && arg < argv.size()) {
      const size_t bulk = argv[arg].size();
      if (!bulk_header_parsed) {
        const size_t header_len = 1 + Digits(bulk) + 2;
        if (len - pos < header_len) break;
        pos += header_len;
        bulk_header_parsed = true;
        if (bulk >= kMbulkBigArg && len - pos <= bulk + 2) {
          len -= pos;  // sdsrange(querybuf, qb_pos, -1)
          pos = 0;
          MakeRoom(bulk + 2 - len, false);
        }
      }
      if (len - pos < bulk + 2) break;
      if (pos == 0 && bulk >= kMbulkBigArg && len == bulk + 2) {
        // The argument takes the buffer; the fresh one is sized for
        // another argument as big.
        NewEmpty(bulk + 2);
      } else {
        pos += bulk + 2;
      }
      bulk_header_parsed = false;
      ++arg;
    }
    if (mbulk_parsed && arg == argv.size()) return;
    len -= pos;  // processInputBuffer trims what it parsed
    pos = 0;
    if (delivered == total) return;  // not reached: the bytes make a command
  }
}

// Only a buffer wasting more than 4 KiB is resized: to its length when the
// client has been idle more than 2 s, else, when it is over 32 KiB and more
// than twice its peak, to the larger of its length and the peak. The peak
// restarts at the length (no bulk is ever half read here).
void QueryBuffer::CronResize(int64_t idle_s) {
  if (alloc - len > kCronWasteThreshold) {
    if (idle_s > 2) {
      Resize(len);  // sdsRemoveFreeSpace
    } else if (alloc > kResizeThreshold && alloc / 2 > peak) {
      Resize(std::max(len, peak));
    }
  }
  peak = len;
}

}  // namespace respfuzz::engine
