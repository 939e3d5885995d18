/* Status codes of the runner (sim_ layer), from one table so every code can be printed,
 * and the report of a broken invariant.
 *
 * Functions return 0 or a negative SIM_E* code; sim_strerror names it.  A user error (bad
 * YAML, flags, a firmware image) is reported with where and why by the caller and ends the
 * run with a non-zero exit.  A broken invariant of the simulator itself is not a user error:
 * SIM_PANIC prints file, line and the simulated time, then aborts (SWIFT error(), ROSS
 * tw_error).
 */
#ifndef SIM_ERROR_H
#define SIM_ERROR_H

/* X(NAME, code, message) */
#define SIM_ERROR_MAP(X)                                                                       \
    X(OK, 0, "no error")                                                                       \
    X(NOMEM, -1, "out of memory")                                                              \
    X(FRAME, -2, "a command frame could not be built")                                         \
    X(TRACE, -3, "writing the trace failed")                                                   \
    X(INPUT, -4, "invalid input")                                                              \
    X(PEER, -5, "another MPI rank failed (its message is on its standard error)")

typedef enum sim_error {
#define SIM_ERROR_ENUM(name, code, msg) SIM_E##name = code,
    SIM_ERROR_MAP(SIM_ERROR_ENUM)
#undef SIM_ERROR_ENUM
} sim_error;

/* The message of CODE ("unknown error" for a code not in the table). */
const char *sim_strerror(int code);

/* Prints "FILE:LINE: internal error at simulated time T s: MESSAGE" on stderr and aborts. */
_Noreturn void sim_panic_at(const char *file, int line, double sim_t, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
#define SIM_PANIC(sim_t, ...) sim_panic_at(__FILE__, __LINE__, (double)(sim_t), __VA_ARGS__)

#endif
