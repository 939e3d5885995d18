/* Conversion: the text of one value (units, enums, numbers) checked against its key's
 * row and stored into the struct, in SI units. */
#ifndef SIM_SCENARIO_CONVERT_H
#define SIM_SCENARIO_CONVERT_H

#include "diag.h"
#include "schema.h"
#include "ytree.h"

/* What a value of R must look like ("a duration such as \"30 min\""). */
void sim_key_expect(const sim_key *r, char *buf, size_t len);
/* The values R accepts ("30 min..400 d, a multiple of 30 min"). */
void sim_key_range(const sim_key *r, char *buf, size_t len);
/* Shortest text that reads back to V; whole numbers below 1e15 without an exponent. */
void sim_fmt_real(double v, char *buf, size_t len);

/* Check scalar V (from document D) against leaf row R and store it in the record REC;
 * problems go to DG under PATH, the key as the message shows it. */
void sim_convert(sim_diag *dg, const sim_key *r, const char *path, const sim_ynode *v,
                 const sim_ydoc *d, void *rec);

#endif
