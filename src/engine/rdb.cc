#include "src/engine/rdb.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "src/resp/numbers.h"

extern "C" {
#include <lzf.h>
}

namespace respfuzz::engine::rdb {

namespace {

// RDB object types (rdb.h).
enum : uint8_t {
  kTypeString = 0,
  kTypeList = 1,
  kTypeSet = 2,
  kTypeZset = 3,
  kTypeHash = 4,
  kTypeZset2 = 5,
  kTypeHashZipmap = 9,
  kTypeListZiplist = 10,
  kTypeSetIntset = 11,
  kTypeZsetZiplist = 12,
  kTypeHashZiplist = 13,
  kTypeListQuicklist = 14,
  kTypeStreamListpacks = 15,
  kTypeHashListpack = 16,
  kTypeZsetListpack = 17,
  kTypeListQuicklist2 = 18,
  kTypeStreamListpacks2 = 19,
};

constexpr uint64_t kContainerPlain = 1;
constexpr uint64_t kContainerPacked = 2;

// An LZF blob never expands more than this (a 3-byte back reference copies
// at most 264 bytes): a declared length above it cannot decompress, so it is
// refused before anything is allocated.
constexpr uint64_t kLzfMaxRatio = 100;

std::array<uint64_t, 256> MakeCrcTable() {
  constexpr uint64_t kReflectedPoly = 0x95ac9329ac4bc9b5ULL;  // 0xad93d23594c935a9 reversed
  std::array<uint64_t, 256> t{};
  for (uint64_t i = 0; i < 256; ++i) {
    uint64_t crc = i;
    for (int b = 0; b < 8; ++b) crc = (crc & 1) ? (crc >> 1) ^ kReflectedPoly : crc >> 1;
    t[i] = crc;
  }
  return t;
}

void PutLe(std::string* out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// ll2string.
std::string Decimal(int64_t v) { return std::to_string(v); }

// lpStringToInt64 / string2ll: the same rules (resp::ParseInt64).
std::optional<int64_t> AsInteger(std::string_view s) { return resp::ParseInt64(s); }

// d2string for a score that double2ll does not take.
std::string ScoreText(double v) {
  if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
  char buf[64];
  const int n = std::snprintf(buf, sizeof(buf), "%.17g", v);
  return std::string(buf, static_cast<size_t>(n));
}

// double2ll.
bool DoubleToInt(double d, int64_t* out) {
  constexpr double kLim = static_cast<double>(INT64_MAX / 2);
  if (!(d >= -kLim && d <= kLim)) return false;
  const auto ll = static_cast<int64_t>(d);
  if (static_cast<double>(ll) != d) return false;
  *out = ll;
  return true;
}

// ---------------------------------------------------------------- writing

// lpEncodeBacklen: an entry's length, read right to left.
void AppendBacklen(std::string* out, uint64_t l) {
  if (l <= 127) {
    out->push_back(static_cast<char>(l));
    return;
  }
  const int n = l < 16383 ? 2 : l < 2097151 ? 3 : l < 268435455 ? 4 : 5;
  out->push_back(static_cast<char>(l >> (7 * (n - 1))));
  for (int i = n - 2; i >= 0; --i) out->push_back(static_cast<char>(((l >> (7 * i)) & 127) | 128));
}

void AppendListpackEntry(std::string* lp, std::string_view s) {
  std::string enc;
  if (auto v = AsInteger(s)) {
    int64_t x = *v;
    if (x >= 0 && x <= 127) {
      enc.push_back(static_cast<char>(x));
    } else if (x >= -4096 && x <= 4095) {
      if (x < 0) x += int64_t{1} << 13;
      enc.push_back(static_cast<char>((x >> 8) | 0xC0));
      enc.push_back(static_cast<char>(x & 0xff));
    } else if (x >= -32768 && x <= 32767) {
      enc.push_back(static_cast<char>(0xF1));
      PutLe(&enc, static_cast<uint64_t>(x), 2);
    } else if (x >= -8388608 && x <= 8388607) {
      enc.push_back(static_cast<char>(0xF2));
      PutLe(&enc, static_cast<uint64_t>(x), 3);
    } else if (x >= INT32_MIN && x <= INT32_MAX) {
      enc.push_back(static_cast<char>(0xF3));
      PutLe(&enc, static_cast<uint64_t>(x), 4);
    } else {
      enc.push_back(static_cast<char>(0xF4));
      PutLe(&enc, static_cast<uint64_t>(x), 8);
    }
  } else if (s.size() < 64) {
    enc.push_back(static_cast<char>(0x80 | s.size()));
    enc.append(s);
  } else if (s.size() < 4096) {
    enc.push_back(static_cast<char>(0xE0 | (s.size() >> 8)));
    enc.push_back(static_cast<char>(s.size() & 0xff));
    enc.append(s);
  } else {
    enc.push_back(static_cast<char>(0xF0));
    PutLe(&enc, s.size(), 4);
    enc.append(s);
  }
  lp->append(enc);
  AppendBacklen(lp, enc.size());
}

// A listpack from the entries' bytes (header + entries + terminator).
std::string FinishListpack(std::string_view entries, size_t count) {
  std::string lp;
  PutLe(&lp, 6 + entries.size() + 1, 4);
  PutLe(&lp, std::min<size_t>(count, 65535), 2);
  lp.append(entries);
  lp.push_back(static_cast<char>(0xFF));
  return lp;
}

// The zset listpack's score element (zzlInsertAt: an integer when double2ll
// takes the score, which makes -0 a 0, else d2string's text).
std::string ZsetScoreElement(double score) {
  int64_t l;
  if (DoubleToInt(score, &l)) return Decimal(l);
  return ScoreText(score);
}

void AppendBinaryDouble(std::string* out, double d) {
  uint64_t bits;
  std::memcpy(&bits, &d, 8);
  PutLe(out, bits, 8);
}

void DumpList(std::string* out, const List& list, int64_t fill, uint64_t packed_threshold) {
  // quicklistPushTail from an empty quicklist, element by element.
  QuicklistTail tail(fill, packed_threshold);
  std::vector<std::pair<uint64_t, std::string>> nodes;  // (container, bytes)
  std::string entries;
  size_t count = 0;
  auto flush = [&] {
    if (count > 0) nodes.emplace_back(kContainerPacked, FinishListpack(entries, count));
    entries.clear();
    count = 0;
  };
  for (const std::string& e : list) {
    switch (tail.Next(e)) {
      case QuicklistTail::Place::kPlainNode:
        flush();
        nodes.emplace_back(kContainerPlain, e);
        continue;
      case QuicklistTail::Place::kNewNode:
        flush();
        break;
      case QuicklistTail::Place::kSameNode:
        break;
    }
    AppendListpackEntry(&entries, e);
    ++count;
  }
  flush();
  AppendLen(out, nodes.size());
  for (const auto& [container, bytes] : nodes) {
    AppendLen(out, container);
    AppendString(out, bytes);
  }
}

// ---------------------------------------------------------------- reading

class Reader {
 public:
  explicit Reader(std::string_view s, size_t pos = 0) : s_(s), pos_(pos) {}
  size_t pos() const { return pos_; }
  bool Byte(uint8_t* b) {
    if (pos_ >= s_.size()) return false;
    *b = static_cast<uint8_t>(s_[pos_++]);
    return true;
  }
  bool Bytes(size_t n, std::string_view* out) {
    if (s_.size() - pos_ < n) return false;
    *out = s_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  // rdbLoadLenByRef.
  bool Len(uint64_t* len, bool* encoded) {
    *encoded = false;
    uint8_t b;
    if (!Byte(&b)) return false;
    const int type = (b & 0xC0) >> 6;
    if (type == 3) {
      *encoded = true;
      *len = b & 0x3F;
      return true;
    }
    if (type == 0) {
      *len = b & 0x3F;
      return true;
    }
    if (type == 1) {
      uint8_t b2;
      if (!Byte(&b2)) return false;
      *len = (static_cast<uint64_t>(b & 0x3F) << 8) | b2;
      return true;
    }
    int n;
    if (b == 0x80) {
      n = 4;
    } else if (b == 0x81) {
      n = 8;
    } else {
      return false;
    }
    std::string_view raw;
    if (!Bytes(static_cast<size_t>(n), &raw)) return false;
    uint64_t v = 0;
    for (char c : raw) v = (v << 8) | static_cast<uint8_t>(c);
    *len = v;
    return true;
  }
  bool PlainLen(uint64_t* len) {
    bool enc;
    return Len(len, &enc) && !enc;
  }
  // rdbGenericLoadStringObject: the string's bytes (an integer encoding
  // gives its decimal text, LZF its decompressed bytes).
  bool String(std::string* out) {
    uint64_t len;
    bool encoded;
    if (!Len(&len, &encoded)) return false;
    std::string_view raw;
    if (encoded) {
      switch (len) {
        case 0:
        case 1:
        case 2: {
          const int n = 1 << len;
          if (!Bytes(static_cast<size_t>(n), &raw)) return false;
          uint64_t v = 0;
          for (int i = n - 1; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(raw[i]);
          int64_t x = n == 1   ? static_cast<int8_t>(v)
                      : n == 2 ? static_cast<int16_t>(v)
                               : static_cast<int32_t>(v);
          *out = Decimal(x);
          return true;
        }
        case 3: {
          uint64_t clen, ulen;
          if (!PlainLen(&clen) || !PlainLen(&ulen)) return false;
          if (clen > s_.size() - pos_) return false;
          if (!Bytes(static_cast<size_t>(clen), &raw)) return false;
          // lzf_decompress answers 0 for an error and for no output alike,
          // and rdbLoadLzfStringObject compares that with the length: a
          // length of 0 is the empty string whatever the compressed bytes
          // are (redis-server 7.0.15 restores "" from `\xc3\x01\x00\x00`).
          if (ulen == 0) {
            out->clear();
            return true;
          }
          if (clen == 0 || ulen > clen * kLzfMaxRatio || ulen > UINT32_MAX) return false;
          out->assign(static_cast<size_t>(ulen), '\0');
          const unsigned int got = lzf_decompress(raw.data(), static_cast<unsigned int>(clen),
                                                  out->data(), static_cast<unsigned int>(ulen));
          return got == ulen;
        }
        default:
          return false;
      }
    }
    if (!Bytes(len > SIZE_MAX ? SIZE_MAX : static_cast<size_t>(len), &raw)) return false;
    out->assign(raw);
    return true;
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

uint64_t GetLe(std::string_view s, size_t at, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(s[at + i]);
  return v;
}

// A listpack's elements, validated as lpValidateIntegrity's deep walk does
// (sizes, terminator, every entry inside and its back length exact, the
// count when it is not 65535). False when any of that fails.
bool ParseListpack(std::string_view lp, std::vector<std::string>* out) {
  out->clear();
  if (lp.size() < 7) return false;
  if (GetLe(lp, 0, 4) != lp.size()) return false;
  if (static_cast<uint8_t>(lp.back()) != 0xFF) return false;
  const uint64_t declared = GetLe(lp, 4, 2);
  size_t p = 6;
  const size_t end = lp.size() - 1;
  while (p < end) {
    const uint8_t b = static_cast<uint8_t>(lp[p]);
    size_t hdr = 0, len = 0;
    bool is_int = true;
    int64_t v = 0;
    auto need = [&](size_t n) { return end - p >= n; };
    if ((b & 0x80) == 0) {
      hdr = 1;
      v = b & 0x7F;
    } else if ((b & 0xC0) == 0x80) {
      is_int = false;
      hdr = 1;
      len = b & 0x3F;
    } else if ((b & 0xE0) == 0xC0) {
      if (!need(2)) return false;
      hdr = 2;
      uint64_t u = (static_cast<uint64_t>(b & 0x1F) << 8) | static_cast<uint8_t>(lp[p + 1]);
      v = u >= 4096 ? static_cast<int64_t>(u) - 8192 : static_cast<int64_t>(u);
    } else if ((b & 0xF0) == 0xE0) {
      if (!need(2)) return false;
      is_int = false;
      hdr = 2;
      len = (static_cast<size_t>(b & 0x0F) << 8) | static_cast<uint8_t>(lp[p + 1]);
    } else if (b == 0xF0) {
      if (!need(5)) return false;
      is_int = false;
      hdr = 5;
      len = GetLe(lp, p + 1, 4);
    } else if (b >= 0xF1 && b <= 0xF4) {
      const int n = b == 0xF1 ? 2 : b == 0xF2 ? 3 : b == 0xF3 ? 4 : 8;
      if (!need(1 + static_cast<size_t>(n))) return false;
      hdr = 1 + static_cast<size_t>(n);
      const uint64_t u = GetLe(lp, p + 1, n);
      if (n == 2) v = static_cast<int16_t>(u);
      if (n == 3)
        v = u >= (1u << 23) ? static_cast<int64_t>(u) - (1 << 24) : static_cast<int64_t>(u);
      if (n == 4) v = static_cast<int32_t>(u);
      if (n == 8) v = static_cast<int64_t>(u);
    } else {
      return false;
    }
    if (end - p - hdr < len) return false;
    const uint64_t entry_len = hdr + len;
    std::string bl;
    AppendBacklen(&bl, entry_len);
    if (end - p - entry_len < bl.size()) return false;
    if (lp.substr(p + entry_len, bl.size()) != bl) return false;
    out->push_back(is_int ? Decimal(v) : std::string(lp.substr(p + hdr, len)));
    p += entry_len + bl.size();
  }
  if (p != end) return false;
  if (declared != 65535 && declared != out->size()) return false;
  return true;
}

// A ziplist's elements, validated as ziplistValidateIntegrity's deep walk.
bool ParseZiplist(std::string_view zl, std::vector<std::string>* out) {
  out->clear();
  if (zl.size() < 11) return false;
  if (GetLe(zl, 0, 4) != zl.size()) return false;
  if (static_cast<uint8_t>(zl.back()) != 0xFF) return false;
  const uint64_t tail = GetLe(zl, 4, 4);
  const uint64_t declared = GetLe(zl, 8, 2);
  size_t p = 10;
  const size_t end = zl.size() - 1;
  size_t prev_len = 0, last = 10;
  while (p < end) {
    auto need = [&](size_t n) { return end - p >= n; };
    size_t q = p;
    uint64_t prevlen;
    const uint8_t pb = static_cast<uint8_t>(zl[q]);
    if (pb < 254) {
      prevlen = pb;
      q += 1;
    } else {
      if (pb != 254 || !need(5)) return false;
      prevlen = GetLe(zl, q + 1, 4);
      q += 5;
    }
    if (prevlen != prev_len) return false;
    if (q >= end) return false;
    const uint8_t b = static_cast<uint8_t>(zl[q]);
    size_t hdr, len = 0;
    bool is_int = true;
    int64_t v = 0;
    const size_t room = end - q;
    if (b < 0xC0) {
      is_int = false;
      if ((b >> 6) == 0) {
        hdr = 1;
        len = b & 0x3F;
      } else if ((b >> 6) == 1) {
        if (room < 2) return false;
        hdr = 2;
        len = (static_cast<size_t>(b & 0x3F) << 8) | static_cast<uint8_t>(zl[q + 1]);
      } else {
        if (room < 5) return false;
        hdr = 5;
        len = 0;
        for (int i = 1; i <= 4; ++i) len = (len << 8) | static_cast<uint8_t>(zl[q + i]);
      }
    } else {
      int n;
      switch (b) {
        case 0xC0:
          n = 2;
          break;
        case 0xD0:
          n = 4;
          break;
        case 0xE0:
          n = 8;
          break;
        case 0xF0:
          n = 3;
          break;
        case 0xFE:
          n = 1;
          break;
        default:
          if (b >= 0xF1 && b <= 0xFD) {
            n = 0;
            v = (b & 0x0F) - 1;
          } else {
            return false;
          }
      }
      hdr = 1 + static_cast<size_t>(n);
      if (room < hdr) return false;
      if (n > 0) {
        const uint64_t u = GetLe(zl, q + 1, n);
        if (n == 1) v = static_cast<int8_t>(u);
        if (n == 2) v = static_cast<int16_t>(u);
        if (n == 3)
          v = u >= (1u << 23) ? static_cast<int64_t>(u) - (1 << 24) : static_cast<int64_t>(u);
        if (n == 4) v = static_cast<int32_t>(u);
        if (n == 8) v = static_cast<int64_t>(u);
      }
    }
    if (room - hdr < len) return false;
    out->push_back(is_int ? Decimal(v) : std::string(zl.substr(q + hdr, len)));
    last = p;
    prev_len = (q - p) + hdr + len;
    p = q + hdr + len;
  }
  if (p != end) return false;
  if (tail != last) return false;
  if (declared != 65535 && declared != out->size()) return false;
  return true;
}

// zipmapValidateIntegrity (deep) and the field/value pairs.
bool ParseZipmap(std::string_view zm, std::vector<std::string>* out) {
  out->clear();
  if (zm.size() < 2 || static_cast<uint8_t>(zm.back()) != 0xFF) return false;
  size_t p = 1;
  const size_t last = zm.size() - 1;  // OUT_OF_RANGE: beyond this
  auto len_at = [&](size_t at, uint64_t* l, size_t* s) {
    const uint8_t b = static_cast<uint8_t>(zm[at]);
    if (b < 254) {
      *l = b;
      *s = 1;
    } else if (b == 254) {
      *s = 5;
      if (at + 5 > last) return false;
      *l = GetLe(zm, at + 1, 4);
    } else {
      *s = 1;  // the terminator where a length is due
      *l = 0;
      return false;
    }
    return true;
  };
  size_t count = 0;
  while (static_cast<uint8_t>(zm[p]) != 0xFF) {
    uint64_t l;
    size_t s;
    if (!len_at(p, &l, &s)) return false;
    if (p + s > last || (l < 254 && s != 1)) return false;
    p += s;
    if (l > last - p) return false;
    const std::string field(zm.substr(p, l));
    p += l;
    uint64_t vl;
    if (!len_at(p, &vl, &s)) return false;
    if (p + s > last || (vl < 254 && s != 1)) return false;
    p += s;
    const uint8_t free = static_cast<uint8_t>(zm[p]);
    p += 1;
    if (p > last || vl + free > last - p) return false;
    out->push_back(field);
    out->push_back(std::string(zm.substr(p, vl)));
    p += vl + free;
    ++count;
  }
  if (count == 0) return false;
  const uint8_t hdr = static_cast<uint8_t>(zm[0]);
  if (hdr != 254 && hdr != count) return false;
  return true;
}

// rdbLoadDoubleValue (the text form of RDB_TYPE_ZSET).
bool LoadTextDouble(Reader& r, double* out) {
  uint8_t len;
  if (!r.Byte(&len)) return false;
  if (len == 253) {
    *out = NAN;
  } else if (len == 254) {
    *out = INFINITY;
  } else if (len == 255) {
    *out = -INFINITY;
  } else {
    std::string_view raw;
    if (!r.Bytes(len, &raw)) return false;
    const std::string buf(raw);
    char* end = nullptr;
    *out = std::strtod(buf.c_str(), &end);
    if (end == buf.c_str()) return false;  // sscanf's "%lg" read nothing
  }
  return true;
}

// zzlStrtod / zzlGetScore on a listpack score element.
bool ListpackScore(const std::string& s, double* out) {
  if (auto v = AsInteger(s)) {
    *out = static_cast<double>(*v);
    return true;
  }
  const std::string buf = s.substr(0, 127);
  char* end = nullptr;
  *out = std::strtod(buf.c_str(), &end);
  return true;
}

bool HashFromPairs(const std::vector<std::string>& items, Hash* h) {
  if (items.size() % 2 != 0) return false;
  for (size_t i = 0; i < items.size(); i += 2) {
    if (!h->SetIfAbsent(items[i], items[i + 1])) return false;  // a duplicate field
  }
  return true;
}

bool ZsetFromPairs(const std::vector<std::string>& items, ZSet* z) {
  if (items.size() % 2 != 0) return false;
  for (size_t i = 0; i < items.size(); i += 2) {
    double score;
    if (!ListpackScore(items[i + 1], &score) || std::isnan(score)) return false;
    if (!z->Set(items[i], score)) return false;  // a duplicate member
  }
  return true;
}

int64_t MaxIntset(const EncodingLimits& l) {
  return std::min<int64_t>(l.set_max_intset_entries, int64_t{1} << 30);
}

// ---------------------------------------------------------------- streams

constexpr int64_t kStreamFlagDeleted = 1;
constexpr int64_t kStreamFlagSameFields = 2;

void AppendStreamID(std::string* out, StreamID id) {
  for (int i = 7; i >= 0; --i) out->push_back(static_cast<char>((id.ms >> (8 * i)) & 0xff));
  for (int i = 7; i >= 0; --i) out->push_back(static_cast<char>((id.seq >> (8 * i)) & 0xff));
}

StreamID ParseStreamIDBytes(std::string_view raw) {
  StreamID id;
  for (int i = 0; i < 8; ++i) id.ms = (id.ms << 8) | static_cast<uint8_t>(raw[i]);
  for (int i = 8; i < 16; ++i) id.seq = (id.seq << 8) | static_cast<uint8_t>(raw[i]);
  return id;
}

// A node's listpack as streamAppendItem builds it, from the live entries the
// engine keeps (a node's deleted entries are not kept: written as a node
// without them, docs/fidelity.md).
std::string StreamNodeListpack(StreamID master, const StreamNode& node,
                               const Stream::Entries& entries, StreamID next_master,
                               bool has_next) {
  std::vector<std::string> el;
  el.push_back(Decimal(node.count));
  el.push_back("0");
  el.push_back(Decimal(static_cast<int64_t>(node.master_fields.size())));
  for (const std::string& f : node.master_fields) el.push_back(f);
  el.push_back("0");
  auto it = entries.lower_bound(master);
  auto end = has_next ? entries.lower_bound(next_master) : entries.end();
  for (; it != end; ++it) {
    const std::vector<std::string>& fv = it->second;
    const size_t numfields = fv.size() / 2;
    bool same = numfields == node.master_fields.size();
    for (size_t i = 0; i < numfields && same; ++i) same = fv[2 * i] == node.master_fields[i];
    el.push_back(Decimal(same ? kStreamFlagSameFields : 0));
    el.push_back(Decimal(static_cast<int64_t>(it->first.ms - master.ms)));
    el.push_back(Decimal(static_cast<int64_t>(it->first.seq - master.seq)));
    if (!same) el.push_back(Decimal(static_cast<int64_t>(numfields)));
    for (size_t i = 0; i < numfields; ++i) {
      if (!same) el.push_back(fv[2 * i]);
      el.push_back(fv[2 * i + 1]);
    }
    el.push_back(Decimal(static_cast<int64_t>(numfields + 3 + (same ? 0 : numfields + 1))));
  }
  std::vector<std::string_view> views(el.begin(), el.end());
  return Listpack(views);
}

void DumpStream(std::string* out, const Stream& s) {
  const auto& nodes = s.nodes();
  AppendLen(out, nodes.size());
  for (auto it = nodes.begin(); it != nodes.end(); ++it) {
    auto next = std::next(it);
    std::string key;
    AppendStreamID(&key, it->first);
    AppendString(out, key);
    AppendString(out, StreamNodeListpack(it->first, it->second, s.entries(),
                                         next == nodes.end() ? StreamID{} : next->first,
                                         next != nodes.end()));
  }
  AppendLen(out, s.length());
  AppendLen(out, s.last_id.ms);
  AppendLen(out, s.last_id.seq);
  const StreamID first = s.first_id();
  AppendLen(out, first.ms);
  AppendLen(out, first.seq);
  AppendLen(out, s.max_deleted_id.ms);
  AppendLen(out, s.max_deleted_id.seq);
  AppendLen(out, s.entries_added);
  AppendLen(out, s.groups.size());
  for (const auto& [name, g] : s.groups) {
    AppendString(out, name);
    AppendLen(out, g.last_id.ms);
    AppendLen(out, g.last_id.seq);
    AppendLen(out, static_cast<uint64_t>(g.entries_read));
    AppendLen(out, g.pel.size());
    for (const auto& [id, nack] : g.pel) {
      AppendStreamID(out, id);
      PutLe(out, static_cast<uint64_t>(nack.delivery_time), 8);
      AppendLen(out, nack.delivery_count);
    }
    AppendLen(out, g.consumers.size());
    for (const auto& [cname, c] : g.consumers) {
      AppendString(out, cname);
      PutLe(out, static_cast<uint64_t>(c.seen_time), 8);
      AppendLen(out, c.pel.size());
      for (const StreamID& id : c.pel) AppendStreamID(out, id);
    }
  }
}

// One node's listpack, checked as streamValidateListpackIntegrity's deep
// walk does, plus what the engine's model of a stream needs: entries in
// increasing order at or after the master ID, the master entry's counts
// equal to the live and deleted entries found.
bool LoadStreamNode(StreamID master, std::string_view lp, StreamNode* node, Stream::Entries* live) {
  std::vector<std::string> el;
  if (!ParseListpack(lp, &el) || el.empty()) return false;
  size_t p = 0;
  auto next_int = [&](int64_t* v) {
    if (p >= el.size()) return false;
    auto x = AsInteger(el[p++]);
    if (!x) return false;
    *v = *x;
    return true;
  };
  int64_t count, deleted, master_fields;
  if (!next_int(&count) || !next_int(&deleted) || !next_int(&master_fields)) return false;
  if (count < 0 || deleted < 0 || master_fields < 0) return false;
  if (static_cast<uint64_t>(master_fields) > el.size() - p) return false;
  for (int64_t i = 0; i < master_fields; ++i) node->master_fields.push_back(el[p++]);
  int64_t zero;
  if (!next_int(&zero) || zero != 0) return false;
  int64_t found_live = 0, found_deleted = 0;
  bool any = false;
  StreamID prev;
  const uint64_t total = static_cast<uint64_t>(count) + static_cast<uint64_t>(deleted);
  for (uint64_t e = 0; e < total; ++e) {
    int64_t flags, ms_diff, seq_diff;
    if (!next_int(&flags) || !next_int(&ms_diff) || !next_int(&seq_diff)) return false;
    int64_t fields = master_fields, extra = 3;
    const bool same = (flags & kStreamFlagSameFields) != 0;
    if (!same) {
      if (!next_int(&fields) || fields < 0 || static_cast<uint64_t>(fields) > el.size()) {
        return false;
      }
      extra += fields + 1;
    }
    // SAMEFIELDS: the values only; else field, value, field, value, ...
    const uint64_t want = static_cast<uint64_t>(fields) * (same ? 1 : 2);
    if (want > el.size() - p) return false;
    std::vector<std::string> entry;
    for (int64_t i = 0; i < fields; ++i) {
      entry.push_back(same ? node->master_fields[static_cast<size_t>(i)] : el[p++]);
      entry.push_back(el[p++]);
    }
    int64_t lp_count;
    if (!next_int(&lp_count) || lp_count != fields + extra) return false;
    const StreamID id{master.ms + static_cast<uint64_t>(ms_diff),
                      master.seq + static_cast<uint64_t>(seq_diff)};
    if (id < master || (any && id <= prev)) return false;
    any = true;
    prev = id;
    node->last = id;
    if (flags & kStreamFlagDeleted) {
      ++found_deleted;
      continue;
    }
    ++found_live;
    live->emplace(id, std::move(entry));
  }
  if (p != el.size()) return false;
  if (found_live != count || found_deleted != deleted || !any) return false;
  node->count = count;
  node->deleted = deleted;
  node->lp_bytes = static_cast<int64_t>(lp.size());
  return true;
}

std::optional<Object> LoadStream(Reader& r, bool v2) {
  Stream s;
  uint64_t listpacks;
  if (!r.PlainLen(&listpacks)) return std::nullopt;
  bool have_prev = false;
  StreamID prev_master;
  Stream::Entries* prev_live = nullptr;
  std::vector<std::pair<StreamID, std::pair<StreamNode, Stream::Entries>>> loaded;
  for (uint64_t i = 0; i < listpacks; ++i) {
    std::string key, lp;
    if (!r.String(&key) || key.size() != 16) return std::nullopt;
    if (!r.String(&lp)) return std::nullopt;
    const StreamID master = ParseStreamIDBytes(key);
    // The rax keeps nodes by key: a payload's nodes come in that order, and
    // each node's entries stay below the next node's key.
    if (have_prev && master <= prev_master) return std::nullopt;
    if (prev_live != nullptr && !prev_live->empty() && prev_live->rbegin()->first >= master) {
      return std::nullopt;
    }
    StreamNode node;
    Stream::Entries live;
    if (!LoadStreamNode(master, lp, &node, &live)) return std::nullopt;
    if (have_prev && loaded.back().second.first.last >= master) return std::nullopt;
    loaded.emplace_back(master, std::make_pair(std::move(node), std::move(live)));
    prev_live = &loaded.back().second.second;
    have_prev = true;
    prev_master = master;
  }
  uint64_t length;
  if (!r.PlainLen(&length) || !r.PlainLen(&s.last_id.ms) || !r.PlainLen(&s.last_id.seq)) {
    return std::nullopt;
  }
  uint64_t live_total = 0;
  for (const auto& l : loaded) live_total += l.second.second.size();
  // Redis keeps the payload's length as XLEN; the engine counts the entries.
  if (length != live_total) return std::nullopt;
  if (length != 0 && loaded.empty()) return std::nullopt;
  for (auto& [master, nl] : loaded) s.LoadNode(master, std::move(nl.first), std::move(nl.second));
  if (!s.entries().empty() && s.entries().rbegin()->first > s.last_id) return std::nullopt;
  if (v2) {
    StreamID first;
    if (!r.PlainLen(&first.ms) || !r.PlainLen(&first.seq) || !r.PlainLen(&s.max_deleted_id.ms) ||
        !r.PlainLen(&s.max_deleted_id.seq) || !r.PlainLen(&s.entries_added)) {
      return std::nullopt;
    }
  } else {
    s.entries_added = length;
  }
  uint64_t groups;
  if (!r.PlainLen(&groups)) return std::nullopt;
  for (uint64_t g = 0; g < groups; ++g) {
    std::string name;
    StreamGroup group;
    if (!r.String(&name) || !r.PlainLen(&group.last_id.ms) || !r.PlainLen(&group.last_id.seq)) {
      return std::nullopt;
    }
    if (v2) {
      uint64_t read;
      if (!r.PlainLen(&read)) return std::nullopt;
      group.entries_read = static_cast<int64_t>(read);
    } else {
      group.entries_read = s.EstimateDistanceFromFirstEverEntry(group.last_id);
    }
    uint64_t pel;
    if (!r.PlainLen(&pel)) return std::nullopt;
    for (uint64_t i = 0; i < pel; ++i) {
      std::string_view raw, t;
      if (!r.Bytes(16, &raw) || !r.Bytes(8, &t)) return std::nullopt;
      StreamNack nack;
      nack.delivery_time = static_cast<int64_t>(GetLe(t, 0, 8));
      if (!r.PlainLen(&nack.delivery_count)) return std::nullopt;
      if (!group.pel.emplace(ParseStreamIDBytes(raw), std::move(nack)).second) {
        return std::nullopt;
      }
    }
    uint64_t consumers;
    if (!r.PlainLen(&consumers)) return std::nullopt;
    for (uint64_t c = 0; c < consumers; ++c) {
      std::string cname;
      std::string_view t;
      if (!r.String(&cname) || !r.Bytes(8, &t)) return std::nullopt;
      StreamConsumer consumer;
      consumer.seen_time = static_cast<int64_t>(GetLe(t, 0, 8));
      uint64_t owned;
      if (!r.PlainLen(&owned)) return std::nullopt;
      for (uint64_t i = 0; i < owned; ++i) {
        std::string_view raw;
        if (!r.Bytes(16, &raw)) return std::nullopt;
        const StreamID id = ParseStreamIDBytes(raw);
        auto n = group.pel.find(id);
        if (n == group.pel.end() || !n->second.consumer.empty()) return std::nullopt;
        n->second.consumer = cname;
        consumer.pel.insert(id);
      }
      if (!group.consumers.emplace(std::move(cname), std::move(consumer)).second) {
        return std::nullopt;
      }
    }
    // sanitize-dump-payload's check, always made here: every pending entry
    // has a consumer.
    for (const auto& [id, nack] : group.pel) {
      if (nack.consumer.empty()) return std::nullopt;
    }
    if (!s.groups.emplace(std::move(name), std::move(group)).second) return std::nullopt;
  }
  if (!s.Check().empty()) return std::nullopt;
  return Object(std::move(s));
}
}  // namespace

uint64_t Crc64(uint64_t crc, std::string_view data) {
  static const std::array<uint64_t, 256> kTable = MakeCrcTable();
  for (char c : data) crc = kTable[(crc ^ static_cast<uint8_t>(c)) & 0xff] ^ (crc >> 8);
  return crc;
}

void AppendLen(std::string* out, uint64_t len) {
  if (len < (1 << 6)) {
    out->push_back(static_cast<char>(len));
  } else if (len < (1 << 14)) {
    out->push_back(static_cast<char>(((len >> 8) & 0xff) | 0x40));
    out->push_back(static_cast<char>(len & 0xff));
  } else if (len <= UINT32_MAX) {
    out->push_back(static_cast<char>(0x80));
    for (int i = 3; i >= 0; --i) out->push_back(static_cast<char>((len >> (8 * i)) & 0xff));
  } else {
    out->push_back(static_cast<char>(0x81));
    for (int i = 7; i >= 0; --i) out->push_back(static_cast<char>((len >> (8 * i)) & 0xff));
  }
}

void AppendString(std::string* out, std::string_view s) {
  if (s.size() <= 11) {
    if (auto v = AsInteger(s)) {
      const int64_t x = *v;
      if (x >= -128 && x <= 127) {
        out->push_back(static_cast<char>(0xC0));
        PutLe(out, static_cast<uint64_t>(x), 1);
        return;
      }
      if (x >= -32768 && x <= 32767) {
        out->push_back(static_cast<char>(0xC1));
        PutLe(out, static_cast<uint64_t>(x), 2);
        return;
      }
      if (x >= INT32_MIN && x <= INT32_MAX) {
        out->push_back(static_cast<char>(0xC2));
        PutLe(out, static_cast<uint64_t>(x), 4);
        return;
      }
    }
  }
  if (s.size() > 20 && s.size() <= UINT32_MAX) {
    const size_t outlen = s.size() - 4;
    std::string comp(outlen + 1, '\0');
    const unsigned int n = lzf_compress(s.data(), static_cast<unsigned int>(s.size()), comp.data(),
                                        static_cast<unsigned int>(outlen));
    if (n > 0) {
      out->push_back(static_cast<char>(0xC3));
      AppendLen(out, n);
      AppendLen(out, s.size());
      out->append(comp.data(), n);
      return;
    }
  }
  AppendLen(out, s.size());
  out->append(s);
}

std::string Listpack(const std::vector<std::string_view>& elements) {
  std::string entries;
  for (std::string_view e : elements) AppendListpackEntry(&entries, e);
  return FinishListpack(entries, elements.size());
}

std::string Intset(const std::vector<int64_t>& sorted) {
  int width = 2;
  for (int64_t v : sorted) {
    if (v < INT32_MIN || v > INT32_MAX) {
      width = 8;
    } else if ((v < INT16_MIN || v > INT16_MAX) && width < 4) {
      width = 4;
    }
  }
  std::string is;
  PutLe(&is, static_cast<uint64_t>(width), 4);
  PutLe(&is, sorted.size(), 4);
  for (int64_t v : sorted) PutLe(&is, static_cast<uint64_t>(v), width);
  return is;
}

std::string DumpPayload(const Object& o, const EncodingLimits& limits) {
  std::string out;
  AppendObject(&out, o, limits);
  out.push_back(static_cast<char>(kRdbVersion & 0xff));
  out.push_back(static_cast<char>(kRdbVersion >> 8));
  PutLe(&out, Crc64(0, out), 8);
  return out;
}

void AppendObject(std::string* out_ptr, const Object& o, const EncodingLimits& limits) {
  std::string& out = *out_ptr;
  switch (TypeOf(o)) {
    case ObjType::kString:
      out.push_back(static_cast<char>(kTypeString));
      AppendString(&out, As<std::string>(o));
      break;
    case ObjType::kList:
      out.push_back(static_cast<char>(kTypeListQuicklist2));
      DumpList(&out, As<List>(o), limits.list_max_listpack_size, limits.quicklist_packed_threshold);
      break;
    case ObjType::kHash: {
      const Hash& h = As<Hash>(o);
      if (o.hashtable()) {
        out.push_back(static_cast<char>(kTypeHash));
        AppendLen(&out, h.size());
        for (const auto& [f, v] : h) {
          AppendString(&out, f);
          AppendString(&out, v);
        }
      } else {
        out.push_back(static_cast<char>(kTypeHashListpack));
        std::vector<std::string_view> items;
        for (const auto& [f, v] : h) {
          items.push_back(f);
          items.push_back(v);
        }
        AppendString(&out, Listpack(items));
      }
      break;
    }
    case ObjType::kSet: {
      const Set& s = As<Set>(o);
      if (o.hashtable()) {
        out.push_back(static_cast<char>(kTypeSet));
        AppendLen(&out, s.size());
        for (const std::string& m : s) AppendString(&out, m);
      } else {
        out.push_back(static_cast<char>(kTypeSetIntset));
        std::vector<int64_t> ints;
        for (const std::string& m : s) ints.push_back(*AsInteger(m));
        std::sort(ints.begin(), ints.end());
        AppendString(&out, Intset(ints));
      }
      break;
    }
    case ObjType::kZSet: {
      const ZSet& z = As<ZSet>(o);
      if (z.listpack()) {
        out.push_back(static_cast<char>(kTypeZsetListpack));
        std::vector<std::string> scores;
        scores.reserve(z.size());
        for (const auto& e : z.index()) scores.push_back(ZsetScoreElement(e.first));
        std::vector<std::string_view> items;
        size_t i = 0;
        for (const auto& e : z.index()) {
          items.push_back(e.second);
          items.push_back(scores[i++]);
        }
        AppendString(&out, Listpack(items));
      } else {
        out.push_back(static_cast<char>(kTypeZset2));
        AppendLen(&out, z.size());
        std::vector<std::pair<std::string_view, double>> all;
        for (const auto& e : z.index()) all.emplace_back(e.second, e.first);
        for (auto it = all.rbegin(); it != all.rend(); ++it) {
          AppendString(&out, it->first);
          AppendBinaryDouble(&out, it->second);
        }
      }
      break;
    }
    case ObjType::kStream:
      out.push_back(static_cast<char>(kTypeStreamListpacks2));
      DumpStream(&out, As<Stream>(o));
      break;
  }
}

bool LoadLen(std::string_view s, size_t* pos, uint64_t* len) {
  Reader r(s, *pos);
  bool encoded;
  if (!r.Len(len, &encoded)) return false;
  *pos = r.pos();
  return true;
}

bool LoadString(std::string_view s, size_t* pos, std::string* out) {
  Reader r(s, *pos);
  if (!r.String(out)) return false;
  *pos = r.pos();
  return true;
}

void AppendFooter(std::string* payload) {
  PutLe(payload, kRdbVersion, 2);
  PutLe(payload, Crc64(0, *payload), 8);
}

bool VerifyPayload(std::string_view p) {
  if (p.size() < 10) return false;
  const size_t f = p.size() - 10;
  const uint16_t ver =
      static_cast<uint16_t>(static_cast<uint8_t>(p[f]) | (static_cast<uint8_t>(p[f + 1]) << 8));
  if (ver > kRdbVersion) return false;
  return Crc64(0, p.substr(0, p.size() - 8)) == GetLe(p, p.size() - 8, 8);
}

namespace {

// rdbLoadObject of a value of RDB type `type` at the reader's position.
std::optional<Object> LoadTyped(uint8_t type, Reader& r, const EncodingLimits& limits) {
  std::vector<std::string> items;
  switch (type) {
    case kTypeString: {
      std::string s;
      if (!r.String(&s)) return std::nullopt;
      return Object(std::move(s));
    }
    case kTypeList: {
      uint64_t len;
      if (!r.PlainLen(&len) || len == 0) return std::nullopt;
      List l;
      for (uint64_t i = 0; i < len; ++i) {
        std::string e;
        if (!r.String(&e)) return std::nullopt;
        l.push_back(std::move(e));
      }
      return Object(std::move(l));
    }
    case kTypeSet: {
      uint64_t len;
      if (!r.PlainLen(&len) || len == 0) return std::nullopt;
      Set s;
      bool ht = static_cast<int64_t>(std::min<uint64_t>(len, INT64_MAX)) > MaxIntset(limits);
      for (uint64_t i = 0; i < len; ++i) {
        std::string e;
        if (!r.String(&e)) return std::nullopt;
        if (!IsIntsetMember(e)) ht = true;
        if (!s.insert(std::move(e)).second) return std::nullopt;
      }
      Object o(std::move(s));
      o.set_hashtable(ht);
      return o;
    }
    case kTypeZset:
    case kTypeZset2: {
      uint64_t len;
      if (!r.PlainLen(&len) || len == 0) return std::nullopt;
      ZSet z;
      size_t maxelelen = 0, totelelen = 0;
      std::vector<std::string> zeros;  // members scored -0
      for (uint64_t i = 0; i < len; ++i) {
        std::string m;
        if (!r.String(&m)) return std::nullopt;
        double score;
        if (type == kTypeZset2) {
          std::string_view raw;
          if (!r.Bytes(8, &raw)) return std::nullopt;
          const uint64_t bits = GetLe(raw, 0, 8);
          std::memcpy(&score, &bits, 8);
        } else if (!LoadTextDouble(r, &score)) {
          return std::nullopt;
        }
        if (std::isnan(score)) return std::nullopt;
        maxelelen = std::max(maxelelen, m.size());
        totelelen += m.size();
        if (score == 0 && std::signbit(score)) zeros.push_back(m);
        if (!z.Set(m, score)) return std::nullopt;
      }
      // lpSafeToAdd: the listpack stays under 1 GiB.
      const bool small = static_cast<int64_t>(z.size()) <= limits.zset_max_listpack_entries &&
                         static_cast<int64_t>(maxelelen) <= limits.zset_max_listpack_value &&
                         totelelen <= (size_t{1} << 30);
      if (small && !zeros.empty()) {
        // zsetConvert to a listpack: zzlInsertAt stores an integral score
        // as an integer (double2ll), so -0 reads back as 0.
        ZSet converted;
        for (const auto& [m, score] : z.scores()) {
          if (!converted.Set(m, score == 0 ? 0.0 : score)) return std::nullopt;
        }
        z = std::move(converted);
      }
      z.set_listpack(small);
      return Object(std::move(z));
    }
    case kTypeHash: {
      uint64_t len;
      if (!r.PlainLen(&len) || len == 0) return std::nullopt;
      Hash h;
      bool ht = static_cast<int64_t>(std::min<uint64_t>(len, INT64_MAX)) >
                limits.hash_max_listpack_entries;
      for (uint64_t i = 0; i < len; ++i) {
        std::string f, v;
        if (!r.String(&f) || !r.String(&v)) return std::nullopt;
        if (static_cast<int64_t>(f.size()) > limits.hash_max_listpack_value ||
            static_cast<int64_t>(v.size()) > limits.hash_max_listpack_value) {
          ht = true;
        }
        // Redis's listpack phase takes a duplicate field without looking
        // (sanitize-dump-payload no); the engine cannot hold one.
        if (!h.SetIfAbsent(f, std::move(v))) return std::nullopt;
      }
      Object o(std::move(h));
      o.set_hashtable(ht);
      return o;
    }
    case kTypeListQuicklist:
    case kTypeListQuicklist2: {
      uint64_t nodes;
      if (!r.PlainLen(&nodes) || nodes == 0) return std::nullopt;
      List l;
      for (uint64_t i = 0; i < nodes; ++i) {
        uint64_t container = kContainerPacked;
        if (type == kTypeListQuicklist2) {
          if (!r.PlainLen(&container)) return std::nullopt;
          if (container != kContainerPacked && container != kContainerPlain) return std::nullopt;
        }
        std::string data;
        if (!r.String(&data) || data.empty()) return std::nullopt;
        if (container == kContainerPlain) {
          l.push_back(std::move(data));
          continue;
        }
        const bool ok =
            type == kTypeListQuicklist2 ? ParseListpack(data, &items) : ParseZiplist(data, &items);
        if (!ok) return std::nullopt;
        for (std::string& e : items) l.push_back(std::move(e));
      }
      if (l.empty()) return std::nullopt;
      return Object(std::move(l));
    }
    case kTypeHashZipmap:
    case kTypeListZiplist:
    case kTypeSetIntset:
    case kTypeZsetZiplist:
    case kTypeZsetListpack:
    case kTypeHashZiplist:
    case kTypeHashListpack: {
      std::string blob;
      if (!r.String(&blob)) return std::nullopt;
      switch (type) {
        case kTypeHashZipmap: {
          if (!ParseZipmap(blob, &items)) return std::nullopt;
          Hash h;
          size_t maxlen = 0;
          for (const std::string& e : items) maxlen = std::max(maxlen, e.size());
          if (!HashFromPairs(items, &h)) return std::nullopt;
          Object o(std::move(h));
          o.set_hashtable(static_cast<int64_t>(items.size() / 2) >
                              limits.hash_max_listpack_entries ||
                          static_cast<int64_t>(maxlen) > limits.hash_max_listpack_value);
          return o;
        }
        case kTypeListZiplist: {
          if (!ParseZiplist(blob, &items) || items.empty()) return std::nullopt;
          return Object(
              List(std::make_move_iterator(items.begin()), std::make_move_iterator(items.end())));
        }
        case kTypeSetIntset: {
          if (blob.size() < 8) return std::nullopt;
          const uint64_t width = GetLe(blob, 0, 4);
          if (width != 2 && width != 4 && width != 8) return std::nullopt;
          const uint64_t count = GetLe(blob, 4, 4);
          if (8 + count * width != blob.size() || count == 0) return std::nullopt;
          Set s;
          int64_t prev = 0;
          for (uint64_t i = 0; i < count; ++i) {
            const uint64_t u = GetLe(blob, 8 + i * width, static_cast<int>(width));
            const int64_t v = width == 2   ? static_cast<int16_t>(u)
                              : width == 4 ? static_cast<int32_t>(u)
                                           : static_cast<int64_t>(u);
            // Redis checks the order only under sanitize-dump-payload; the
            // engine always does (an unsorted intset breaks Redis's lookups).
            if (i > 0 && v <= prev) return std::nullopt;
            prev = v;
            s.insert(Decimal(v));
          }
          Object o(std::move(s));
          o.set_hashtable(static_cast<int64_t>(count) > limits.set_max_intset_entries);
          return o;
        }
        case kTypeZsetZiplist:
        case kTypeZsetListpack: {
          const bool ok =
              type == kTypeZsetZiplist ? ParseZiplist(blob, &items) : ParseListpack(blob, &items);
          if (!ok || items.empty()) return std::nullopt;
          ZSet z;
          if (!ZsetFromPairs(items, &z)) return std::nullopt;
          z.set_listpack(static_cast<int64_t>(z.size()) <= limits.zset_max_listpack_entries);
          return Object(std::move(z));
        }
        default: {  // kTypeHashZiplist, kTypeHashListpack
          const bool ok =
              type == kTypeHashZiplist ? ParseZiplist(blob, &items) : ParseListpack(blob, &items);
          if (!ok || items.empty()) return std::nullopt;
          Hash h;
          if (!HashFromPairs(items, &h)) return std::nullopt;
          Object o(std::move(h));
          o.set_hashtable(static_cast<int64_t>(items.size() / 2) >
                          limits.hash_max_listpack_entries);
          return o;
        }
      }
    }
    case kTypeStreamListpacks:
    case kTypeStreamListpacks2:
      return LoadStream(r, type == kTypeStreamListpacks2);
    default:
      return std::nullopt;  // modules (none here), unknown types
  }
}

}  // namespace

std::optional<Object> LoadObject(std::string_view body, const EncodingLimits& limits) {
  Reader r(body);
  uint8_t type;
  if (!r.Byte(&type)) return std::nullopt;
  return LoadTyped(type, r, limits);
}

std::optional<Object> LoadObjectOfType(uint8_t type, std::string_view s, size_t* pos,
                                       const EncodingLimits& limits) {
  Reader r(s, *pos);
  std::optional<Object> o = LoadTyped(type, r, limits);
  *pos = r.pos();
  return o;
}

}  // namespace respfuzz::engine::rdb
