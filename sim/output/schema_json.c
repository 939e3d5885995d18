/* metersim_schema_json OUT.json: the trace's declaration (schema.h) as JSON, for Python.
 * Exit 0, or 1 with a message when OUT cannot be written. */
#include "schema.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: metersim_schema_json OUT.json\n");
        return 1;
    }
    FILE *f = fopen(argv[1], "w");
    if (!f) {
        fprintf(stderr, "metersim_schema_json: %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    int rc = sim_schema_json(f);
    if (fclose(f) != 0) rc = -1;
    if (rc) fprintf(stderr, "metersim_schema_json: %s: write failed\n", argv[1]);
    return rc ? 1 : 0;
}
