// Small blocking socket helpers the offline oracles use to talk to a real
// redis-server on the loopback: every call is bounded by a timeout.
#ifndef RESPFUZZ_TOOLS_ORACLE_NET_H_
#define RESPFUZZ_TOOLS_ORACLE_NET_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace respfuzz::oracle {

// Unix time in ms (the clock redis-server's mstime() reads).
int64_t RealNowMs();
// A connected TCP socket to host:port (IPv4), TCP_NODELAY, with send and
// receive timeouts of timeout_ms.
absl::StatusOr<int> ConnectTcp(const std::string& host, int port, int timeout_ms);
absl::Status SendAll(int fd, std::string_view data);
// Waits up to timeout_ms for fd to be readable, then reads what is there
// (at most 64 KiB) and appends it to *out. 0 bytes appended: nothing
// arrived in time. An error when the peer closed or recv failed.
absl::Status ReadSome(int fd, int timeout_ms, std::string* out);

}  // namespace respfuzz::oracle

#endif  // RESPFUZZ_TOOLS_ORACLE_NET_H_
