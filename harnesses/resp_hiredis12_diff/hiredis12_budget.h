/* The budget on hiredis 1.2.0's pointer arrays (see hiredis12_parser.h), in
 * C: hiredis calls createArray through a pointer to a C function type, and
 * UBSan's -fsanitize=function checks that the function it reaches has that
 * type, which a C++ function taking hiredis12::redisReadTask does not. */
#ifndef RESPFUZZ_HARNESSES_RESP_HIREDIS12_DIFF_HIREDIS12_BUDGET_H_
#define RESPFUZZ_HARNESSES_RESP_HIREDIS12_DIFF_HIREDIS12_BUDGET_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct respfuzz_hiredis12_budget {
  void (*create_array)(void); /* hiredis's own createArray (cast back to call it) */
  int64_t max_array;          /* the largest count createArray accepts */
  int64_t max_live;           /* the most elements alive in the reply being built */
  int64_t live;               /* elements of the aggregates in the reply being built */
  int64_t refused;            /* the count refused, or -1 */
};

/* Puts the budgeted createArray into `fns` (a redisReplyObjectFunctions),
 * keeping its createArray in b->create_array, and sets b->live to 0 and
 * b->refused to -1. With a reader's privdata set to `b`, the budgeted
 * createArray refuses (NULL, which hiredis reports as "Out of memory") a
 * count above b->max_array or one that would take b->live above b->max_live,
 * and otherwise counts it in b->live and calls hiredis's own. */
void respfuzz_hiredis12_budget_install(void *fns, struct respfuzz_hiredis12_budget *b);

#ifdef __cplusplus
}
#endif

#endif /* RESPFUZZ_HARNESSES_RESP_HIREDIS12_DIFF_HIREDIS12_BUDGET_H_ */
