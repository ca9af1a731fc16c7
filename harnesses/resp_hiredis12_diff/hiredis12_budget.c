/* See hiredis12_budget.h. Compiled as C, so hiredis's call through its
 * createArray pointer reaches a function of exactly that type. */
#include "respfuzz_hiredis12.h"

#include "harnesses/resp_hiredis12_diff/hiredis12_budget.h"

typedef void *(*create_array_fn)(const redisReadTask *, size_t);

static void *budgeted_create_array(const redisReadTask *task, size_t count) {
  struct respfuzz_hiredis12_budget *b = (struct respfuzz_hiredis12_budget *)task->privdata;
  /* hiredis checked count against maxelements (2^32 - 1) before a map's
   * doubling: at most 2 * (2^32 - 1), well within int64_t. */
  int64_t elements = (int64_t)count;
  if (elements > b->max_array || b->live + elements > b->max_live) {
    b->refused = elements;
    return NULL;
  }
  b->live += elements;
  return ((create_array_fn)b->create_array)(task, count);
}

void respfuzz_hiredis12_budget_install(void *fns, struct respfuzz_hiredis12_budget *b) {
  redisReplyObjectFunctions *f = (redisReplyObjectFunctions *)fns;
  b->create_array = (void (*)(void))f->createArray;
  b->live = 0;
  b->refused = -1;
  f->createArray = budgeted_create_array;
}
