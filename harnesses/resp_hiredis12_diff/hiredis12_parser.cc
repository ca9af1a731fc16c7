#include "harnesses/resp_hiredis12_diff/hiredis12_parser.h"

// hiredis 1.2.0 only in this translation unit (its headers share include
// guards with 0.14.1's, which harnesses/common/hiredis_parser.cc includes).
#include <string>
#include <utility>

#include "absl/container/inlined_vector.h"
#include "harnesses/resp_hiredis12_diff/hiredis12_budget.h"
#include "respfuzz_hiredis12.h"

namespace respfuzz::harnesses {

using resp::Protocol;
using resp::ReaderError;
using resp::ReaderErrorCode;
using resp::Type;
namespace h = ::hiredis12;

namespace {

ReaderErrorCode NearestCode(std::string_view errstr) {
  if (errstr.starts_with(kHiredis12BadTypeByte)) return ReaderErrorCode::kUnknownType;
  if (errstr == kHiredis12BadInteger) return ReaderErrorCode::kBadInteger;
  if (errstr == kHiredis12BadDouble || errstr == kHiredis12DoubleTooLarge) {
    return ReaderErrorCode::kBadDouble;
  }
  if (errstr == "Bad nil value") return ReaderErrorCode::kBadNull;
  if (errstr == "Bad bool value") return ReaderErrorCode::kBadBoolean;
  if (errstr == kHiredis12BadBignum) return ReaderErrorCode::kBadBigNumber;
  if (errstr == kHiredis12BadSimpleString) return ReaderErrorCode::kCharInLine;
  if (errstr.starts_with("Verbatim string")) return ReaderErrorCode::kBadVerbatim;
  if (errstr == "Multi-bulk length out of range") return ReaderErrorCode::kAggregateTooLong;
  // "Bad bulk string length", "Bulk string length out of range", "Bad
  // multi-bulk length", and "Out of memory".
  return ReaderErrorCode::kBadLength;
}

// A redisReply tree as reader events, without recursion. Adds the element
// counts of its aggregates (as hiredis allocated them) to *elements.
void ReplayReply(const h::redisReply* reply, resp::Visitor& out, int64_t* elements) {
  absl::InlinedVector<const h::redisReply*, 16> todo = {reply};  // null: an aggregate's end
  std::string verbatim;
  while (!todo.empty()) {
    const h::redisReply* r = todo.back();
    todo.pop_back();
    if (r == nullptr) {
      out.OnEnd();
      continue;
    }
    switch (r->type) {
      case REDIS_REPLY_STRING:
        out.OnString(Type::kBulkString, std::string_view(r->str, r->len));
        break;
      case REDIS_REPLY_STATUS:
        out.OnString(Type::kSimpleString, std::string_view(r->str, r->len));
        break;
      case REDIS_REPLY_ERROR:
        out.OnString(Type::kError, std::string_view(r->str, r->len));
        break;
      case REDIS_REPLY_BIGNUM:
        out.OnString(Type::kBigNumber, std::string_view(r->str, r->len));
        break;
      case REDIS_REPLY_VERB:
        // hiredis splits "fmt:text" into vtype and str; our reader keeps it whole.
        verbatim.assign(r->vtype, 3);
        verbatim += ':';
        verbatim.append(r->str, r->len);
        out.OnString(Type::kVerbatim, verbatim);
        break;
      case REDIS_REPLY_INTEGER:
        out.OnInteger(r->integer);
        break;
      case REDIS_REPLY_DOUBLE:
        out.OnDouble(r->dval);
        break;
      case REDIS_REPLY_BOOL:
        out.OnBoolean(r->integer != 0);
        break;
      case REDIS_REPLY_NIL:
        out.OnNull(Type::kNull);
        break;
      case REDIS_REPLY_ARRAY:
      case REDIS_REPLY_SET:
      case REDIS_REPLY_PUSH:
      case REDIS_REPLY_MAP: {
        const int64_t n = static_cast<int64_t>(r->elements);
        const Type t = r->type == REDIS_REPLY_ARRAY  ? Type::kArray
                       : r->type == REDIS_REPLY_SET  ? Type::kSet
                       : r->type == REDIS_REPLY_PUSH ? Type::kPush
                                                     : Type::kMap;
        // A map's elements are its keys and values, one after the other.
        out.OnBegin(t, t == Type::kMap ? n / 2 : n);
        *elements += n;
        todo.push_back(nullptr);
        for (size_t i = r->elements; i-- > 0;) todo.push_back(r->element[i]);
        break;
      }
      default:  // hiredis 1.2.0's reader builds no other type; keep it visible in a diff.
        out.OnString(Type::kBulkError, "hiredis reply type " + std::to_string(r->type));
        break;
    }
  }
}

class Hiredis12Parser : public ReplyParser {
 public:
  using ReplyParser::Feed;
  ~Hiredis12Parser() override {
    if (reader_ != nullptr) h::redisReaderFree(reader_);
  }
  void Start(Protocol, const resp::ReaderLimits&) override {
    if (reader_ != nullptr) h::redisReaderFree(reader_);
    reader_ = h::redisReaderCreate();
    // The default functions are static in hiredis.c: copied from the reader,
    // createArray wrapped. Nothing else of the reader is changed.
    fns_ = *reader_->fn;
    budget_.max_array = kHiredis12MaxArrayLen;
    budget_.max_live = kHiredis12MaxLiveElements;
    respfuzz_hiredis12_budget_install(&fns_, &budget_);
    reader_->fn = &fns_;
    reader_->privdata = &budget_;
    fed_ = 0;
    error_ = ReaderError{};
  }
  bool Feed(std::string_view chunk, resp::ReplyTree* out) override {
    if (error_.code != ReaderErrorCode::kNone) return false;
    builder_.SetOutput(out);
    fed_ += chunk.size();
    if (h::redisReaderFeed(reader_, chunk.data(), chunk.size()) != REDIS_OK) return SetError();
    while (true) {
      void* reply = nullptr;
      if (h::redisReaderGetReply(reader_, &reply) != REDIS_OK) return SetError();
      if (reply == nullptr) return true;
      int64_t elements = 0;
      ReplayReply(static_cast<const h::redisReply*>(reply), builder_, &elements);
      h::freeReplyObject(reply);
      budget_.live -= elements;
    }
  }
  ReaderError error() const override { return error_; }
  bool idle() const override {
    // Nothing buffered and no task in progress: the stack is empty, or holds
    // only the root task still waiting for its type byte.
    return error_.code == ReaderErrorCode::kNone && buffered() == 0 &&
           (reader_->ridx == -1 || (reader_->ridx == 0 && reader_->task[0]->type < 0));
  }
  uint64_t consumed() const override { return fed_ - buffered(); }
  size_t buffered() const override {
    return reader_ == nullptr || reader_->buf == nullptr ? 0 : reader_->len - reader_->pos;
  }

 private:
  bool SetError() {
    std::string_view errstr = reader_->errstr;
    if (budget_.refused >= 0) {
      error_ = ReaderError{ReaderErrorCode::kAggregateTooLong, fed_,
                           std::string(kHiredis12BudgetRefusal) + ": an aggregate of " +
                               std::to_string(budget_.refused) + " elements, with " +
                               std::to_string(budget_.live) + " alive, is above " +
                               std::to_string(kHiredis12MaxArrayLen) + " / " +
                               std::to_string(kHiredis12MaxLiveElements) + ")"};
    } else {
      error_ = ReaderError{NearestCode(errstr), fed_, std::string(errstr)};
    }
    return false;
  }
  h::redisReader* reader_ = nullptr;
  h::redisReplyObjectFunctions fns_{};
  resp::ReplyBuilder builder_;
  respfuzz_hiredis12_budget budget_{};
  uint64_t fed_ = 0;
  ReaderError error_;
};

}  // namespace

std::unique_ptr<ReplyParser> MakeHiredis12Parser() { return std::make_unique<Hiredis12Parser>(); }

bool IsHiredis12BudgetRefusal(const ReaderError& e) {
  return e.code == ReaderErrorCode::kAggregateTooLong &&
         e.reason.starts_with(kHiredis12BudgetRefusal);
}

void NormalizeNullsForHiredis12(resp::ReplyTree* t) {
  t->RetypeNulls(Type::kNullBulk, Type::kNull);
  t->RetypeNulls(Type::kNullArray, Type::kNull);
}

// The limits the header names are hiredis's own.
static_assert(kHiredis12MaxElements == REDIS_READER_MAX_ARRAY_ELEMENTS);
static_assert(kHiredis12MaxBuf == REDIS_READER_MAX_BUF);

}  // namespace respfuzz::harnesses
