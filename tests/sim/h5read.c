#include "h5read.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

void *h5_read_all(hid_t f, const char *path, hid_t type, hsize_t dims[2], int *rank)
{
    hid_t ds = H5Dopen2(f, path, H5P_DEFAULT);
    if (ds < 0) return NULL;
    hid_t sp = H5Dget_space(ds);
    dims[0] = dims[1] = 1;
    *rank = H5Sget_simple_extent_ndims(sp);
    H5Sget_simple_extent_dims(sp, dims, NULL);
    size_t n = (size_t)dims[0] * (*rank > 1 ? (size_t)dims[1] : 1);
    void *buf = malloc(n * H5Tget_size(type) + 1);
    if (buf && n && H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) {
        free(buf);
        buf = NULL;
    }
    H5Sclose(sp);
    H5Dclose(ds);
    return buf;
}

int h5_attr_str(hid_t obj, const char *name, char *buf, size_t n)
{
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    if (a < 0) return -1;
    hid_t mt = H5Tcopy(H5T_C_S1);
    H5Tset_size(mt, H5T_VARIABLE);
    H5Tset_cset(mt, H5T_CSET_UTF8);
    char *s = NULL;
    int rc = H5Aread(a, mt, &s) < 0 ? -1 : 0;
    if (rc == 0) snprintf(buf, n, "%s", s ? s : "");
    if (s) H5free_memory(s);
    H5Tclose(mt);
    H5Aclose(a);
    return rc;
}

int h5_attr_u64(hid_t obj, const char *name, uint64_t *v)
{
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    if (a < 0) return -1;
    int rc = H5Aread(a, H5T_NATIVE_UINT64, v) < 0 ? -1 : 0;
    H5Aclose(a);
    return rc;
}

int run_cmd(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int st = system(cmd);
    if (st == -1 || !WIFEXITED(st)) return -1;
    return WEXITSTATUS(st);
}

hid_t h5_event_type(void)
{
    hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(h5_event));
    H5Tinsert(t, "t_s", HOFFSET(h5_event, t_s), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "household", HOFFSET(h5_event, household), H5T_NATIVE_UINT32);
    H5Tinsert(t, "code", HOFFSET(h5_event, code), H5T_NATIVE_UINT32);
    H5Tinsert(t, "value", HOFFSET(h5_event, value), H5T_NATIVE_INT64);
    return t;
}

hid_t run_trace(const char *dir, const char *name, const char *scenario, const char *extra)
{
    const char *bin = getenv("METERSIM_BIN"), *src = getenv("METERSIM_SOURCE_DIR");
    if (!bin || !src) return -1;
    if (run_cmd("'%s' run '%s/tests/sim/data/%s' -o '%s/%s' --quiet %s", bin, src, scenario, dir,
                name, extra) != 0)
        return -1;
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
}
