// Keyspace notifications and the dirty counter (notify.h).
#include "src/engine/notify.h"

#include <string>

#include "src/engine/c_string.h"
#include "src/engine/command.h"
#include "src/engine/engine.h"

namespace respfuzz::engine {

int64_t ParseNotifyFlags(std::string_view classes) {
  int64_t flags = 0;
  for (char ch : CStr(classes)) {
    switch (ch) {
      case 'A':
        flags |= kNotifyAll;
        break;
      case 'g':
        flags |= kNotifyGeneric;
        break;
      case '$':
        flags |= kNotifyString;
        break;
      case 'l':
        flags |= kNotifyList;
        break;
      case 's':
        flags |= kNotifySet;
        break;
      case 'h':
        flags |= kNotifyHash;
        break;
      case 'z':
        flags |= kNotifyZset;
        break;
      case 'x':
        flags |= kNotifyExpired;
        break;
      case 'e':
        flags |= kNotifyEvicted;
        break;
      case 'K':
        flags |= kNotifyKeyspace;
        break;
      case 'E':
        flags |= kNotifyKeyevent;
        break;
      case 't':
        flags |= kNotifyStream;
        break;
      case 'm':
        flags |= kNotifyKeyMiss;
        break;
      case 'd':
        flags |= kNotifyModule;
        break;
      case 'n':
        flags |= kNotifyNew;
        break;
      default:
        return -1;
    }
  }
  return flags;
}

std::string NotifyFlagsToString(uint32_t flags) {
  std::string out;
  if ((flags & kNotifyAll) == kNotifyAll) {
    out.push_back('A');
  } else {
    static constexpr std::pair<uint32_t, char> kClasses[] = {
        {kNotifyGeneric, 'g'}, {kNotifyString, '$'}, {kNotifyList, 'l'},    {kNotifySet, 's'},
        {kNotifyHash, 'h'},    {kNotifyZset, 'z'},   {kNotifyExpired, 'x'}, {kNotifyEvicted, 'e'},
        {kNotifyStream, 't'},  {kNotifyModule, 'd'}, {kNotifyNew, 'n'},
    };
    for (const auto& [bit, ch] : kClasses) {
      if (flags & bit) out.push_back(ch);
    }
  }
  if (flags & kNotifyKeyspace) out.push_back('K');
  if (flags & kNotifyKeyevent) out.push_back('E');
  if (flags & kNotifyKeyMiss) out.push_back('m');
  return out;
}

void Engine::NotifyKeyspaceEvent(uint32_t type, std::string_view event, std::string_view key,
                                 int db) {
  if ((notify_flags_ & type) == 0) return;
  const std::string prefix = "@" + std::to_string(db) + "__:";
  if (notify_flags_ & kNotifyKeyspace) {
    std::string channel = "__keyspace" + prefix;
    channel.append(key);
    Publish(channel, event, false);
  }
  if (notify_flags_ & kNotifyKeyevent) {
    std::string channel = "__keyevent" + prefix;
    channel.append(event);
    Publish(channel, key, false);
  }
}

void Engine::KeyAdded(int db, std::string_view key) {
  SignalKeyAsReady(db, key);
  if (announced_new_db_ == db && announced_new_key_ == key) {
    announced_new_db_ = -1;  // AnnounceNew sent it already
    return;
  }
  NotifyKeyspaceEvent(kNotifyNew, "new", key, db);
}

void Engine::AnnounceNew(int db, std::string_view key) {
  NotifyKeyspaceEvent(kNotifyNew, "new", key, db);
  announced_new_db_ = db;
  announced_new_key_.assign(key);
}

void CommandContext::Notify(uint32_t type, std::string_view event, std::string_view key) {
  engine.NotifyKeyspaceEvent(type, event, key, db);
}

void CommandContext::Dirty(int64_t n) { engine.AddDirty(n); }

bool CommandContext::TouchedNotify(uint32_t type, std::string_view event, std::string_view key) {
  const bool existed = ks.Peek(db, key) != nullptr;
  ks.TouchedMaybeEmpty(db, key);
  Notify(type, event, key);
  const bool removed = existed && ks.Peek(db, key) == nullptr;
  if (removed) Notify(kNotifyGeneric, "del", key);
  return removed;
}

bool CommandContext::NotifyTouched(uint32_t type, std::string_view event, std::string_view key) {
  Notify(type, event, key);
  const Object* o = ks.Peek(db, key);
  const bool empty = o != nullptr && IsEmptyAggregate(*o);
  if (empty) Notify(kNotifyGeneric, "del", key);
  ks.TouchedMaybeEmpty(db, key);
  return empty;
}

}  // namespace respfuzz::engine
