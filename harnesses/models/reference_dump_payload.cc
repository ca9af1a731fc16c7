// A DUMP payload as the reference model reads it (FUNCTION RESTORE): the
// footer (RDB version, little-endian, then the CRC-64 of everything before
// the CRC, little-endian), and RDB lengths and strings (plain, integer and
// LZF-compressed). Written from the RDB format's description, bit by bit
// where the engine's reader (src/engine/rdb.cc) uses tables, so the two
// share no code.
#include "harnesses/models/reference_dump_payload.h"

#include <cstdint>
#include <string>

namespace respfuzz::models::refmodel {

namespace {

uint8_t Byte(const std::string& s, size_t i) { return static_cast<uint8_t>(s[i]); }

// n bytes at *pos as a little-endian (or big-endian) unsigned number.
bool ReadFixed(const std::string& s, size_t* pos, size_t n, bool big_endian, uint64_t* out) {
  if (s.size() - *pos < n) return false;
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) {
    const uint64_t b = Byte(s, *pos + i);
    v |= big_endian ? b << (8 * (n - 1 - i)) : b << (8 * i);
  }
  *pos += n;
  *out = v;
  return true;
}

// liblzf's format: a control byte below 32 starts a literal run of that many
// plus one bytes; otherwise its top 3 bits are a length (7: one more byte
// adds to it) and, with the next byte, an offset back into the output.
bool LzfDecompress(const std::string& in, size_t out_len, std::string* out) {
  out->clear();
  size_t i = 0;
  while (i < in.size()) {
    const unsigned ctrl = Byte(in, i++);
    if (ctrl < 32) {
      const size_t run = ctrl + 1;
      if (in.size() - i < run || out->size() + run > out_len) return false;
      out->append(in, i, run);
      i += run;
      continue;
    }
    size_t len = ctrl >> 5;
    if (len == 7) {
      if (i >= in.size()) return false;
      len += Byte(in, i++);
    }
    len += 2;
    if (i >= in.size()) return false;
    const size_t back = ((ctrl & 0x1f) << 8) + Byte(in, i++) + 1;
    if (back > out->size() || out->size() + len > out_len) return false;
    // Byte by byte: a reference may overlap what it writes.
    for (size_t k = 0; k < len; ++k) out->push_back((*out)[out->size() - back]);
  }
  return out->size() == out_len;
}

}  // namespace

uint64_t Crc64Jones(const std::string& s, size_t n) {
  // The Jones polynomial 0xad93d23594c935a9, reflected, one bit at a time.
  constexpr uint64_t kReflected = 0x95ac9329ac4bc9b5ULL;
  uint64_t crc = 0;
  for (size_t i = 0; i < n; ++i) {
    crc ^= Byte(s, i);
    for (int bit = 0; bit < 8; ++bit) crc = (crc & 1) ? (crc >> 1) ^ kReflected : crc >> 1;
  }
  return crc;
}

bool DumpFooterOk(const std::string& payload, int max_rdb_version) {
  if (payload.size() < 10) return false;
  const size_t at = payload.size() - 10;
  const int version = Byte(payload, at) | (Byte(payload, at + 1) << 8);
  if (version > max_rdb_version) return false;
  size_t pos = at + 2;
  uint64_t crc = 0;
  ReadFixed(payload, &pos, 8, /*big_endian=*/false, &crc);
  return crc == Crc64Jones(payload, payload.size() - 8);
}

bool RdbReadLen(const std::string& s, size_t* pos, uint64_t* len, bool* encoded) {
  *encoded = false;
  if (*pos >= s.size()) return false;
  const uint8_t first = Byte(s, (*pos)++);
  switch (first >> 6) {
    case 0:  // 6 bits
      *len = first & 0x3f;
      return true;
    case 1: {  // 14 bits
      if (*pos >= s.size()) return false;
      *len = (static_cast<uint64_t>(first & 0x3f) << 8) | Byte(s, (*pos)++);
      return true;
    }
    case 3:  // a special encoding; its kind in the low 6 bits
      *encoded = true;
      *len = first & 0x3f;
      return true;
    default:
      break;
  }
  if (first == 0x80) return ReadFixed(s, pos, 4, /*big_endian=*/true, len);
  if (first == 0x81) return ReadFixed(s, pos, 8, /*big_endian=*/true, len);
  return false;
}

bool RdbReadString(const std::string& s, size_t* pos, std::string* out) {
  uint64_t len = 0;
  bool encoded = false;
  if (!RdbReadLen(s, pos, &len, &encoded)) return false;
  if (!encoded) {
    if (s.size() - *pos < len) return false;
    out->assign(s, *pos, len);
    *pos += len;
    return true;
  }
  if (len <= 2) {  // an integer of 1, 2 or 4 bytes, little-endian, signed
    const size_t n = size_t{1} << len;
    uint64_t u = 0;
    if (!ReadFixed(s, pos, n, /*big_endian=*/false, &u)) return false;
    const int bits = static_cast<int>(8 * n);
    int64_t v = static_cast<int64_t>(u);
    if (u >> (bits - 1)) v = static_cast<int64_t>(u) - (int64_t{1} << bits);
    *out = std::to_string(v);
    return true;
  }
  if (len != 3) return false;  // 3: LZF, compressed length then original length
  uint64_t clen = 0, ulen = 0;
  bool enc_c = false, enc_u = false;
  if (!RdbReadLen(s, pos, &clen, &enc_c) || enc_c) return false;
  if (!RdbReadLen(s, pos, &ulen, &enc_u) || enc_u) return false;
  if (s.size() - *pos < clen) return false;
  const std::string packed = s.substr(*pos, clen);
  *pos += clen;
  // liblzf answers the count of bytes it wrote, 0 for an error too, and the
  // loader compares that with the length: for 0 anything goes.
  if (ulen == 0) {
    out->clear();
    return true;
  }
  return LzfDecompress(packed, ulen, out);
}

}  // namespace respfuzz::models::refmodel
