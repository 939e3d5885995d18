#include "sim/events.h"

const char *sim_event_name(uint32_t code)
{
    switch (code) {
#define SIM_EVENT_CASE(name, c, value, desc)                                                   \
    case c:                                                                                    \
        return #name;
        SIM_EVENT_MAP(SIM_EVENT_CASE)
#undef SIM_EVENT_CASE
    }
    return "UNKNOWN";
}
