/* Status codes of the supply side of the core: prepayment, UTRN, contactor, commands,
 * persistence and the ESME composite.
 *
 * They extend the core's status codes of mm/meter.h (0 ok, negative error) and print through
 * the same mm_strerror.  They are numbered from -32 down so that the metering side can keep
 * adding codes after MM_ELAST without a collision; like those, they appear in traces and are
 * never renumbered.  Deliberately not here: the alert a failure raises (alerts.h) -- a status
 * tells the caller what happened to its call, an alert tells the head-end.
 */
#ifndef MM_STATUS_SUPPLY_H
#define MM_STATUS_SUPPLY_H

#include "mm/meter.h"

#define MM_EAUTH (-32)        /* MAC, signature or UTRN tag does not verify */
#define MM_EREPLAY (-33)      /* originator counter not above the last one accepted */
#define MM_EMALFORMED (-34)   /* frame or UTRN does not parse */
#define MM_ESTATE (-35)       /* not allowed in the current state (mode, contactor) */
#define MM_ERANGE (-36)       /* value above a configured maximum */
#define MM_ENOTSUP (-37)      /* command not supported by this firmware profile */
#define MM_EWRONGDEV (-38)    /* addressed to another device */
#define MM_ECHECKDIGIT (-39)  /* UTRN check digit wrong */
#define MM_ESELF_SUPPLY (-40) /* self-test: UTRN check digit, money or event log vectors */
#define MM_EVERSION (-41)     /* stored record of a layout version this image cannot read */
#define MM_EOFFSET (-42)      /* firmware block not at the offset the meter expects */
#define MM_ELAST_SUPPLY MM_EOFFSET

#define MM_STATUS_SUPPLY_MAP(X)                                                                    \
    X(MM_EAUTH, "authentication failed")                                                           \
    X(MM_EREPLAY, "replayed or out-of-order counter")                                              \
    X(MM_EMALFORMED, "malformed frame or UTRN")                                                    \
    X(MM_ESTATE, "not allowed in the current state")                                               \
    X(MM_ERANGE, "value above its configured maximum")                                             \
    X(MM_ENOTSUP, "not supported by this firmware profile")                                        \
    X(MM_EWRONGDEV, "addressed to another device")                                                 \
    X(MM_ECHECKDIGIT, "UTRN check digit wrong")                                                    \
    X(MM_ESELF_SUPPLY, "self-test failed: supply side (UTRN, money, event log)")                   \
    X(MM_EVERSION, "stored record of a version this image cannot read")                            \
    X(MM_EOFFSET, "firmware block out of order")

#endif
