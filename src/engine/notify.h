// Keyspace notifications (Redis 7.0.15's notify.c) and the dirty counter
// (server.dirty, INFO's rdb_changes_since_last_save).
//
// A command that changes a key calls CommandContext::Notify(class, event,
// key) where Redis 7.0.15 calls notifyKeyspaceEvent, in the same order
// relative to the key's tracking invalidation and to the reply, and
// CommandContext::Dirty(n) where Redis adds n to server.dirty. When the
// notify-keyspace-events flags select the class, the engine publishes
// through its pub/sub: `__keyspace@<db>__:<key>` with the event as the
// message (K), `__keyevent@<db>__:<event>` with the key (E).
// docs/notifications.md lists every command's events and how a new command
// emits its own.
#ifndef RESPFUZZ_ENGINE_NOTIFY_H_
#define RESPFUZZ_ENGINE_NOTIFY_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace respfuzz::engine {

// The classes (server.h's NOTIFY_*), one bit each.
enum NotifyClass : uint32_t {
  kNotifyKeyspace = 1u << 0,  // K
  kNotifyKeyevent = 1u << 1,  // E
  kNotifyGeneric = 1u << 2,   // g
  kNotifyString = 1u << 3,    // $
  kNotifyList = 1u << 4,      // l
  kNotifySet = 1u << 5,       // s
  kNotifyHash = 1u << 6,      // h
  kNotifyZset = 1u << 7,      // z
  kNotifyExpired = 1u << 8,   // x
  kNotifyEvicted = 1u << 9,   // e
  kNotifyStream = 1u << 10,   // t
  kNotifyKeyMiss = 1u << 11,  // m (not part of A)
  kNotifyLoaded = 1u << 12,   // modules only
  kNotifyModule = 1u << 13,   // d
  kNotifyNew = 1u << 14,      // n (not part of A)
  kNotifyAll = kNotifyGeneric | kNotifyString | kNotifyList | kNotifySet | kNotifyHash |
               kNotifyZset | kNotifyExpired | kNotifyEvicted | kNotifyStream | kNotifyModule,
};

// keyspaceEventsStringToFlags: the classes a CONFIG SET value names, read
// as a C string (up to a NUL); -1 for a character that names none.
int64_t ParseNotifyFlags(std::string_view classes);
// keyspaceEventsFlagsToString: CONFIG GET's canonical form ("A" for all of
// A's classes, which then hides n; K, E and m last).
std::string NotifyFlagsToString(uint32_t flags);
// CONFIG SET's error text for a refused value.
inline constexpr std::string_view kNotifyFlagsError =
    "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";

}  // namespace respfuzz::engine

#endif  // RESPFUZZ_ENGINE_NOTIFY_H_
