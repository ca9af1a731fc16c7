#include "harnesses/common/hiredis_parser.h"

// sds.h declares its functions without extern "C" (hiredis.h includes it
// outside its own block): included first, with C linkage, so that Start()
// can call sdsempty and sdsclear.
extern "C" {
#include <hiredis/sds.h>
}
#include <hiredis/hiredis.h>

#include <utility>

#include "absl/container/inlined_vector.h"

namespace respfuzz::harnesses {

using resp::Protocol;
using resp::ReaderError;
using resp::ReaderErrorCode;
using resp::Type;
using resp::Value;

namespace {

ReaderErrorCode NearestCode(std::string_view errstr) {
  if (errstr.starts_with("Protocol error, got")) return ReaderErrorCode::kUnknownType;
  if (errstr == kHiredisBadInteger) return ReaderErrorCode::kBadInteger;
  if (errstr == kHiredisDepthError) return ReaderErrorCode::kTooDeep;
  // "Bad bulk string length", "Bulk string length out of range",
  // "Bad multi-bulk length", "Multi-bulk length out of range", and anything else
  // (only "Out of memory" is left in 0.14.1).
  return ReaderErrorCode::kBadLength;
}

// A redisReply tree as reader events (into a resp::ReplyBuilder), without
// recursion. Adds the element counts of its arrays to *elements.
void ReplayReply(const redisReply* reply, resp::Visitor& out, int64_t* elements) {
  struct Item {
    const redisReply* r;  // null: the end of an array
  };
  absl::InlinedVector<Item, 16> todo = {{reply}};  // no allocation for most replies
  while (!todo.empty()) {
    const redisReply* src = todo.back().r;
    todo.pop_back();
    if (src == nullptr) {
      out.OnEnd();
      continue;
    }
    switch (src->type) {
      case REDIS_REPLY_STRING:
        out.OnString(Type::kBulkString, std::string_view(src->str, src->len));
        break;
      case REDIS_REPLY_STATUS:
        out.OnString(Type::kSimpleString, std::string_view(src->str, src->len));
        break;
      case REDIS_REPLY_ERROR:
        out.OnString(Type::kError, std::string_view(src->str, src->len));
        break;
      case REDIS_REPLY_INTEGER:
        out.OnInteger(src->integer);
        break;
      case REDIS_REPLY_NIL:
        out.OnNull(Type::kNullBulk);
        break;
      case REDIS_REPLY_ARRAY:
        out.OnBegin(Type::kArray, static_cast<int64_t>(src->elements));
        *elements += static_cast<int64_t>(src->elements);
        todo.push_back({nullptr});
        for (size_t i = src->elements; i-- > 0;) todo.push_back({src->element[i]});
        break;
      default:  // 0.14.1 builds no other type; keep it visible in a diff.
        out.OnNull(Type::kNull);
        break;
    }
  }
}

// A redisReply tree as a resp::Value, without recursion. Adds the element
// counts of its arrays to *elements.
Value ConvertReply(const redisReply* reply, int64_t* elements) {
  Value root;
  std::vector<std::pair<const redisReply*, Value*>> todo = {{reply, &root}};
  while (!todo.empty()) {
    auto [src, dst] = todo.back();
    todo.pop_back();
    switch (src->type) {
      case REDIS_REPLY_STRING:
        dst->type = Type::kBulkString;
        dst->str.assign(src->str, src->len);
        break;
      case REDIS_REPLY_STATUS:
        dst->type = Type::kSimpleString;
        dst->str.assign(src->str, src->len);
        break;
      case REDIS_REPLY_ERROR:
        dst->type = Type::kError;
        dst->str.assign(src->str, src->len);
        break;
      case REDIS_REPLY_INTEGER:
        dst->type = Type::kInteger;
        dst->integer = src->integer;
        break;
      case REDIS_REPLY_NIL:
        dst->type = Type::kNullBulk;
        break;
      case REDIS_REPLY_ARRAY:
        dst->type = Type::kArray;
        // Sized once, so the element pointers queued below stay valid.
        dst->elems.resize(src->elements);
        *elements += static_cast<int64_t>(src->elements);
        for (size_t i = src->elements; i-- > 0;) todo.push_back({src->element[i], &dst->elems[i]});
        break;
      default:  // 0.14.1 builds no other type; keep it visible in a diff.
        dst->type = Type::kNull;
        break;
    }
  }
  return root;
}

// hiredis's createArray, as its read.h declares it: the count is an int in
// Debian's 0.14.1-3 and a size_t once its CVE-2021-32765 backport is
// completed (the OSS-Fuzz builds patch read.h: oss-fuzz/patches/hiredis/).
// hiredis refuses counts above INT_MAX before calling it, so either type
// holds every count exactly.
using CreateArrayFn = decltype(redisReplyObjectFunctions::createArray);
template <typename F>
struct CountParameter;
template <typename R, typename Task, typename Count>
struct CountParameter<R (*)(Task, Count)> {
  using type = Count;
};
using ArrayCount = CountParameter<CreateArrayFn>::type;

// The budget on hiredis's pointer arrays, reached through the read tasks'
// privdata.
struct ArrayBudget {
  CreateArrayFn create_array = nullptr;  // hiredis's own
  int64_t live = 0;                      // elements of the arrays in the reply being built
  int64_t refused = -1;                  // the count refused, or -1
};

void* BudgetedCreateArray(const redisReadTask* task, ArrayCount count) {
  auto* b = static_cast<ArrayBudget*>(task->privdata);
  const auto elements = static_cast<int64_t>(count);
  if (elements > kHiredisMaxArrayLen || b->live + elements > kHiredisMaxLiveElements) {
    // NULL: hiredis 0.14.1 (processMultiBulkItem) sets "Out of memory" and
    // frees the partial reply; the parent's slot for this array stays NULL,
    // which freeReplyObject skips.
    b->refused = elements;
    return nullptr;
  }
  b->live += elements;
  return b->create_array(task, count);
}

// One redisReader, reset in place from stream to stream (hiredis 0.14.1 has
// no reset call: Start() puts the fields back as redisReaderCreate leaves
// them), so a parser allocates no reader per stream.
class HiredisParser : public ReplyParser {
 public:
  using ReplyParser::Feed;
  ~HiredisParser() override { Free(); }
  void Start(Protocol, const resp::ReaderLimits&) override {
    if (reader_ == nullptr) {
      reader_ = redisReaderCreate();
      // The default functions are static in hiredis.c: copy them from the
      // reader, and wrap createArray.
      fns_ = *reader_->fn;
      create_array_ = fns_.createArray;
      fns_.createArray = BudgetedCreateArray;
      reader_->fn = &fns_;
      reader_->privdata = &budget_;
    } else {
      // As redisReaderCreate leaves a reader: an empty buffer, no task, no
      // partial reply, no error.
      if (reader_->reply != nullptr) fns_.freeObject(reader_->reply);
      reader_->reply = nullptr;
      if (reader_->buf == nullptr) {
        reader_->buf = sdsempty();
      } else {
        sdsclear(reader_->buf);
      }
      reader_->pos = reader_->len = 0;
      reader_->ridx = -1;
      reader_->err = 0;
      reader_->errstr[0] = '\0';
    }
    budget_ = ArrayBudget{};
    budget_.create_array = create_array_;
    fed_ = 0;
    error_ = ReaderError{};
  }
  bool Feed(std::string_view chunk, resp::ReplyTree* out) override {
    builder_.SetOutput(out);
    return FeedInto(chunk, [&](const redisReply* reply, int64_t* elements) {
      ReplayReply(reply, builder_, elements);
    });
  }
  // Values straight from the redisReply trees (command_handler and the
  // offline oracle read hiredis this way).
  bool Feed(std::string_view chunk, std::vector<Value>* out) override {
    return FeedInto(chunk, [&](const redisReply* reply, int64_t* elements) {
      out->push_back(ConvertReply(reply, elements));
    });
  }
  ReaderError error() const override { return error_; }
  bool idle() const override {
    // Nothing buffered and no reply task in progress: the stack is empty, or
    // holds only the root task still waiting for its type byte.
    return error_.code == ReaderErrorCode::kNone && buffered() == 0 &&
           (reader_->ridx == -1 || (reader_->ridx == 0 && reader_->rstack[0].type < 0));
  }
  uint64_t consumed() const override { return fed_ - buffered(); }
  size_t buffered() const override {
    return reader_->buf == nullptr ? 0 : reader_->len - reader_->pos;
  }

 private:
  template <typename Take>
  bool FeedInto(std::string_view chunk, Take take) {
    if (error_.code != ReaderErrorCode::kNone) return false;
    fed_ += chunk.size();
    if (redisReaderFeed(reader_, chunk.data(), chunk.size()) != REDIS_OK) return SetError();
    while (true) {
      void* reply = nullptr;
      if (redisReaderGetReply(reader_, &reply) != REDIS_OK) return SetError();
      if (reply == nullptr) return true;
      int64_t elements = 0;
      take(static_cast<const redisReply*>(reply), &elements);
      freeReplyObject(reply);
      budget_.live -= elements;
    }
  }
  bool SetError() {
    // hiredis freed its buffer on the error; a new empty one now, in the
    // same input, so that Start() allocates nothing (see AtEndOfInput).
    if (reader_->buf == nullptr) reader_->buf = sdsempty();
    std::string_view errstr = reader_->errstr;
    if (budget_.refused >= 0) {
      error_ = ReaderError{ReaderErrorCode::kAggregateTooLong, fed_,
                           std::string(kHiredisBudgetRefusal) + ": a multi-bulk of " +
                               std::to_string(budget_.refused) + " elements, with " +
                               std::to_string(budget_.live) + " alive, is above " +
                               std::to_string(kHiredisMaxArrayLen) + " / " +
                               std::to_string(kHiredisMaxLiveElements) + ")"};
    } else {
      error_ = ReaderError{NearestCode(errstr), fed_, std::string(errstr)};
    }
    return false;
  }
  void Free() {
    if (reader_ != nullptr) redisReaderFree(reader_);
    reader_ = nullptr;
  }
  redisReader* reader_ = nullptr;
  redisReplyObjectFunctions fns_{};
  void* (*create_array_)(const redisReadTask*, int) = nullptr;  // hiredis's own
  resp::ReplyBuilder builder_;
  ArrayBudget budget_;
  uint64_t fed_ = 0;
  ReaderError error_;
};

}  // namespace

std::unique_ptr<ReplyParser> MakeHiredisParser() { return std::make_unique<HiredisParser>(); }

bool IsHiredisBudgetRefusal(const resp::ReaderError& e) {
  return e.code == ReaderErrorCode::kAggregateTooLong &&
         e.reason.starts_with(kHiredisBudgetRefusal);
}

void NormalizeNullsForHiredis(Value* v) {
  std::vector<Value*> todo = {v};
  while (!todo.empty()) {
    Value* x = todo.back();
    todo.pop_back();
    if (x->type == Type::kNullArray) x->type = Type::kNullBulk;
    for (Value& e : x->elems) todo.push_back(&e);
  }
}

void NormalizeNullsForHiredis(resp::ReplyTree* t) {
  t->RetypeNulls(Type::kNullArray, Type::kNullBulk);
}

}  // namespace respfuzz::harnesses
