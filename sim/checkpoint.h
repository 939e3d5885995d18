/* Checkpoints of a run at window boundaries, and resuming from one (checkpoint.c). */
#ifndef SIM_CHECKPOINT_H
#define SIM_CHECKPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct sim_run sim_run;

/* The checkpoint directory of trace OUT: OUT.ckpt. */
void sim_checkpoint_dir(const char *out, char *dir, size_t n);
/* At the end of window W, once it is streamed, every area waiting at the barrier (run.c's
 * at_boundary, the coordinator's hook; ARG: the sim_run); HALT: a signal ends the run here.
 * Writes a checkpoint when one is due (or the run halts) and every transfer has finished (on
 * every MPI rank: each step is agreed); a failure to write one is reported on stderr and the
 * run goes on. */
void sim_checkpoint_boundary(void *arg, uint32_t w, bool halt);
/* After set-up: the state of the checkpoint in directory opts.resume.  0, or -1 with why. */
int sim_checkpoint_load(sim_run *r, char *err, size_t errlen);
/* The run is complete: its checkpoint directory goes. */
void sim_checkpoint_remove(const sim_run *r);

#endif
