#include "info.h"

#include "output/schema.h"

#include <hdf5.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

char *sim_h5_attr_text(hid_t obj, const char *name)
{
    if (H5Aexists(obj, name) <= 0) return NULL;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    if (a < 0) return NULL;
    hid_t ft = H5Aget_type(a);
    char *text = NULL;
    if (H5Tget_class(ft) == H5T_STRING) {
        if (H5Tis_variable_str(ft) > 0) {
            hid_t mt = H5Tcopy(H5T_C_S1);
            H5Tset_size(mt, H5T_VARIABLE);
            H5Tset_cset(mt, H5Tget_cset(ft));
            char *s = NULL;
            if (H5Aread(a, mt, &s) >= 0 && s) {
                text = strdup(s);
                H5free_memory(s);
            }
            H5Tclose(mt);
        } else {
            size_t sz = H5Tget_size(ft);
            text = calloc(1, sz + 1);
            if (text && H5Aread(a, ft, text) < 0) {
                free(text);
                text = NULL;
            }
        }
    }
    H5Tclose(ft);
    H5Aclose(a);
    return text;
}

int sim_h5_attr_str(hid_t obj, const char *name, char *buf, size_t n)
{
    char *s = sim_h5_attr_text(obj, name);
    snprintf(buf, n, "%s", s ? s : "");
    free(s);
    return s ? 0 : -1;
}

int sim_h5_attr_u64(hid_t obj, const char *name, uint64_t *v)
{
    if (H5Aexists(obj, name) <= 0) return -1;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    if (a < 0) return -1;
    hid_t ft = H5Aget_type(a);
    int rc = H5Tget_class(ft) == H5T_INTEGER && H5Aread(a, H5T_NATIVE_UINT64, v) >= 0 ? 0 : -1;
    H5Tclose(ft);
    H5Aclose(a);
    return rc;
}

static const char *class_name(hid_t t)
{
    switch (H5Tget_class(t)) {
    case H5T_INTEGER:
        return H5Tget_sign(t) == H5T_SGN_NONE ? "uint" : "int";
    case H5T_FLOAT:
        return "float";
    case H5T_COMPOUND:
        return "table";
    case H5T_STRING:
        return "string";
    default:
        return "other";
    }
}

static herr_t visit(hid_t root, const char *name, const H5O_info_t *oi, void *data)
{
    FILE *out = data;
    if (oi->type != H5O_TYPE_DATASET) return 0;
    hid_t ds = H5Dopen2(root, name, H5P_DEFAULT);
    if (ds < 0) return 0;
    hid_t sp = H5Dget_space(ds), ty = H5Dget_type(ds);
    hsize_t dims[8] = {0};
    int rank = H5Sget_simple_extent_ndims(sp);
    if (rank > 8) rank = 8;
    if (rank > 0) H5Sget_simple_extent_dims(sp, dims, NULL);
    char shape[128] = "", units[128], desc[512];
    size_t off = 0;
    for (int i = 0; i < rank; i++)
        off += (size_t)snprintf(shape + off, sizeof shape - off, "%s%llu", i ? " x " : "",
                                (unsigned long long)dims[i]);
    if (rank == 0) snprintf(shape, sizeof shape, "scalar");
    if (sim_h5_attr_str(ds, SIM_ATTR_UNITS, units, sizeof units)) snprintf(units, sizeof units, "?");
    if (sim_h5_attr_str(ds, SIM_ATTR_DESCRIPTION, desc, sizeof desc)) desc[0] = '\0';
    fprintf(out, "  /%-40s %-6s%2zu B  %-16s [%s]\n", name, class_name(ty), H5Tget_size(ty), shape,
            units);
    H5Tclose(ty);
    H5Sclose(sp);
    H5Dclose(ds);
    return 0;
}

hid_t sim_h5_open(const char *path, char *err, size_t errlen)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    FILE *probe = fopen(path, "rb");
    if (!probe) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    fclose(probe);
    if (H5Fis_hdf5(path) <= 0) {
        snprintf(err, errlen, "%s: not an HDF5 file", path);
        return -1;
    }
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) snprintf(err, errlen, "%s: HDF5 cannot open it (truncated or damaged?)", path);
    return f;
}

int sim_h5_meta_read(hid_t f, hid_t *meta, sim_h5_meta *m)
{
    *meta = H5Lexists(f, SIM_META_GROUP, H5P_DEFAULT) > 0
                ? H5Gopen2(f, SIM_META_GROUP, H5P_DEFAULT)
                : -1;
    if (*meta < 0 ||
        sim_h5_attr_str(*meta, sim_schema_meta_name(SIM_META_VERSION), m->version, sizeof m->version))
        return SIM_H5_NOT_TRACE;
    if (sim_h5_attr_str(*meta, sim_schema_meta_name(SIM_META_SIM_START), m->start, sizeof m->start) ||
        sim_h5_attr_u64(*meta, sim_schema_meta_name(SIM_META_SEED), &m->seed) ||
        sim_h5_attr_u64(*meta, sim_schema_meta_name(SIM_META_COMPLETE), &m->complete) ||
        sim_h5_attr_u64(*meta, sim_schema_meta_name(SIM_META_HOUSEHOLDS), &m->households))
        return SIM_H5_META_MISSING;
    if (sim_h5_attr_str(*meta, sim_schema_meta_name(SIM_META_FIRMWARE), m->firmware,
                        sizeof m->firmware))
        snprintf(m->firmware, sizeof m->firmware, "?");
    return 0;
}

int sim_info(const char *path, FILE *out, char *err, size_t errlen)
{
    hid_t f = sim_h5_open(path, err, errlen);
    if (f < 0) return -1;
    int rc = -1;
    hid_t meta;
    sim_h5_meta m;
    char name[128], end[64];
    int st = sim_h5_meta_read(f, &meta, &m);
    if (st == SIM_H5_NOT_TRACE) {
        snprintf(err, errlen, "%s: not a metersim trace (no /meta metersim_version)", path);
        goto out;
    }
    if (st || sim_h5_attr_str(meta, sim_schema_meta_name(SIM_META_SCENARIO_NAME), name, sizeof name) ||
        sim_h5_attr_str(meta, sim_schema_meta_name(SIM_META_SIM_END), end, sizeof end)) {
        snprintf(err, errlen, "%s: /meta is missing attributes (damaged trace?)", path);
        goto out;
    }
    fprintf(out, "trace           %s\n", path);
    fprintf(out, "scenario        %s\n", name);
    fprintf(out, "metersim        %s (firmware %s)\n", m.version, m.firmware);
    fprintf(out, "seed            %llu\n", (unsigned long long)m.seed);
    fprintf(out, "households      %llu\n", (unsigned long long)m.households);
    fprintf(out, "simulated span  %s .. %s\n", m.start, end);
    fprintf(out, "complete        %s\n", m.complete ? "yes" : "no (interrupted or failed run)");
    /* older traces have no warnings attribute */
    char warn[4096] = "";
    if (H5Aexists(meta, sim_schema_meta_name(SIM_META_WARNINGS)) > 0 &&
        sim_h5_attr_str(meta, sim_schema_meta_name(SIM_META_WARNINGS), warn, sizeof warn) == 0 && warn[0])
        fprintf(out, "warnings:\n%s", warn);
    fprintf(out, "datasets:\n");
    if (H5Ovisit(f, H5_INDEX_NAME, H5_ITER_INC, visit, out) < 0) {
        snprintf(err, errlen, "%s: cannot list datasets (damaged trace?)", path);
        goto out;
    }
    rc = 0;
out:
    if (meta >= 0) H5Gclose(meta);
    H5Fclose(f);
    return rc;
}
