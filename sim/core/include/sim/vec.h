/* A growable array of fixed-size records, the one grow-by-doubling the runner uses.
 *
 * sim_vec_push copies a record in and reports an allocation failure instead of dropping
 * the record; SIM_VEC_AT gives typed access.  Records move when the array grows: keep
 * indices, not pointers, across pushes.
 */
#ifndef SIM_VEC_H
#define SIM_VEC_H

#include <stddef.h>

typedef struct sim_vec {
    void *v;
    size_t n, cap;
    size_t size; /* bytes per record */
} sim_vec;

#define SIM_VEC_INIT(type) ((sim_vec){NULL, 0, 0, sizeof(type)})
#define SIM_VEC_AT(vec, type, k) (((type *)(vec)->v)[k])

/* Room for at least CAP records: 0, or -1 (out of memory; V unchanged). */
int sim_vec_reserve(sim_vec *v, size_t cap);
/* Appends a copy of the record at X: 0, or -1 (out of memory; V unchanged). */
int sim_vec_push(sim_vec *v, const void *x);
/* Room for one record more (the capacity doubles when full): 0, or -1 (V unchanged). */
int sim_vec_grow(sim_vec *v);
/* sim_vec_push of X, a TYPE, as a typed store: for the hot appends, where sim_vec_push's copy
 * of a run-time size is a call into the C library.  VEC is evaluated more than once. */
#define SIM_VEC_PUSH(vec, type, x)                                                             \
    ((vec)->n < (vec)->cap || sim_vec_grow(vec) == 0                                           \
         ? (SIM_VEC_AT(vec, type, (vec)->n++) = (x), 0)                                        \
         : -1)
/* Appends a zeroed record; its address (valid until the next growth) or NULL. */
void *sim_vec_push_zero(sim_vec *v);
/* Drops the first K records, keeping the order of the rest. */
void sim_vec_drop_front(sim_vec *v, size_t k);
void sim_vec_free(sim_vec *v);

#endif
