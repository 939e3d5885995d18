/* Provenance: file digests, ELF build ids, the pre-dlopen image check (provenance.h).
 *
 * The ELF reader trusts nothing in the file: headers, tables and note areas are read with
 * pread into local structs after their range has been checked against the file's size, and
 * every loop is bounded by the file (notes) or by a 16-bit count (tables). */
#define _GNU_SOURCE /* dl_iterate_phdr */
#include "provenance.h"

#include "mm_port_sim_sha256.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The running build's e_machine: what dlopen accepts. */
#if defined(__x86_64__)
#define SIM_ELF_MACHINE EM_X86_64
#elif defined(__aarch64__)
#define SIM_ELF_MACHINE EM_AARCH64
#elif defined(__riscv) && __riscv_xlen == 64
#define SIM_ELF_MACHINE EM_RISCV
#elif defined(__powerpc64__)
#define SIM_ELF_MACHINE EM_PPC64
#elif defined(__s390x__)
#define SIM_ELF_MACHINE EM_S390
#else
#error "provenance.c: add this machine's EM_ constant"
#endif

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define SIM_ELF_DATA ELFDATA2LSB
#else
#define SIM_ELF_DATA ELFDATA2MSB
#endif

#define HEX_DIGITS "0123456789abcdef"
#define BUILD_ID_MAX_BYTES ((SIM_BUILD_ID_HEX_MAX - 1) / 2)

static void to_hex(const uint8_t *b, size_t n, char *hex)
{
    for (size_t i = 0; i < n; i++) {
        hex[2 * i] = HEX_DIGITS[b[i] >> 4];
        hex[2 * i + 1] = HEX_DIGITS[b[i] & 15];
    }
    hex[2 * n] = '\0';
}

/* ---- SHA-256 ---------------------------------------------------------------------------- */

int sim_file_sha256(const char *path, char hex[65], char *err, size_t errlen)
{
    hex[0] = '\0';
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    mm_port_sha256 ctx;
    mm_port_sha256_start(&ctx);
    uint8_t buf[1 << 16];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        mm_port_sha256_update(&ctx, buf, n);
    int rerr = ferror(f) ? errno : 0;
    uint8_t md[32];
    mm_port_sha256_finish(&ctx, md);
    fclose(f);
    if (rerr) {
        snprintf(err, errlen, "%s: %s", path, strerror(rerr));
        return -1;
    }
    to_hex(md, sizeof md, hex);
    return 0;
}

/* ---- ELF structure ---------------------------------------------------------------------- */

typedef struct elf_file {
    int fd;
    uint64_t size; /* bytes in the file */
    Elf64_Ehdr eh;
    uint64_t shnum; /* section headers (e_shnum, or section 0's sh_size when 0) */
} elf_file;

/* Is [OFF, OFF+LEN) inside the file?  (No overflow: LEN is compared with what is left.) */
static int in_file(const elf_file *f, uint64_t off, uint64_t len)
{
    return off <= f->size && len <= f->size - off;
}

/* N bytes at OFF, whole; 0 or -1. */
static int read_at(int fd, void *buf, size_t n, uint64_t off)
{
    uint8_t *p = buf;
    while (n > 0) {
        ssize_t r = pread(fd, p, n, (off_t)off);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return -1;
        p += r;
        n -= (size_t)r;
        off += (uint64_t)r;
    }
    return 0;
}

static int read_phdr(const elf_file *f, unsigned i, Elf64_Phdr *ph)
{
    return read_at(f->fd, ph, sizeof *ph, f->eh.e_phoff + (uint64_t)i * sizeof *ph);
}

static int read_shdr(const elf_file *f, uint64_t i, Elf64_Shdr *sh)
{
    return read_at(f->fd, sh, sizeof *sh, f->eh.e_shoff + i * sizeof *sh);
}

static const char *segment_name(uint32_t type)
{
    switch (type) {
    case PT_LOAD:
        return "PT_LOAD";
    case PT_DYNAMIC:
        return "PT_DYNAMIC";
    case PT_INTERP:
        return "PT_INTERP";
    case PT_NOTE:
        return "PT_NOTE";
    case PT_PHDR:
        return "PT_PHDR";
    case PT_TLS:
        return "PT_TLS";
    case PT_GNU_EH_FRAME:
        return "PT_GNU_EH_FRAME";
    default:
        return "segment";
    }
}

/* Open PATH and read its ELF header: a regular file, ELF64, this machine's byte order.
 * 0, or -1 with the reason in WHY (the file is closed then). */
static int elf_open(const char *path, elf_file *f, char *why, size_t whylen)
{
    memset(f, 0, sizeof *f);
    f->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (f->fd < 0) {
        snprintf(why, whylen, "%s", strerror(errno));
        return -1;
    }
    struct stat st;
    const char *bad = NULL;
    if (fstat(f->fd, &st) != 0)
        bad = strerror(errno);
    else if (!S_ISREG(st.st_mode))
        bad = S_ISDIR(st.st_mode) ? "a directory, not a regular file" : "not a regular file";
    if (bad) {
        snprintf(why, whylen, "%s", bad);
        goto fail;
    }
    f->size = (uint64_t)st.st_size;
    unsigned char id[EI_NIDENT];
    if (f->size < EI_NIDENT || read_at(f->fd, id, sizeof id, 0) != 0 ||
        memcmp(id, ELFMAG, SELFMAG) != 0) {
        snprintf(why, whylen, "not an ELF file (%llu B, no ELF magic)",
                 (unsigned long long)f->size);
        goto fail;
    }
    if (id[EI_CLASS] != ELFCLASS64) {
        snprintf(why, whylen, "not a 64-bit ELF file (EI_CLASS %u)", id[EI_CLASS]);
        goto fail;
    }
    if (id[EI_DATA] != SIM_ELF_DATA) {
        snprintf(why, whylen, "ELF byte order %u is not this machine's", id[EI_DATA]);
        goto fail;
    }
    if (f->size < sizeof f->eh || read_at(f->fd, &f->eh, sizeof f->eh, 0) != 0) {
        snprintf(why, whylen, "truncated: %llu B, shorter than an ELF header",
                 (unsigned long long)f->size);
        goto fail;
    }
    return 0;
fail:
    close(f->fd);
    f->fd = -1;
    return -1;
}

/* The tables and every segment's and section's bytes inside the file.  0, or -1 with the
 * reason in WHY. */
static int elf_structure(elf_file *f, char *why, size_t whylen)
{
    const Elf64_Ehdr *eh = &f->eh;
    unsigned long long size = (unsigned long long)f->size;
    if (eh->e_phnum > 0) {
        if (eh->e_phentsize != sizeof(Elf64_Phdr)) {
            snprintf(why, whylen, "damaged: program header entries of %u B", eh->e_phentsize);
            return -1;
        }
        if (eh->e_phnum == PN_XNUM) {
            snprintf(why, whylen, "damaged or unsupported: extended program header count");
            return -1;
        }
        if (!in_file(f, eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr))) {
            snprintf(why, whylen,
                     "truncated or damaged: program header table (offset %llu, %u entries) "
                     "extends beyond the end of the file (%llu B)",
                     (unsigned long long)eh->e_phoff, eh->e_phnum, size);
            return -1;
        }
    }
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        Elf64_Phdr ph;
        if (read_phdr(f, i, &ph) != 0) {
            snprintf(why, whylen, "cannot read program header %u", i);
            return -1;
        }
        if (ph.p_filesz > 0 && !in_file(f, ph.p_offset, ph.p_filesz)) {
            snprintf(why, whylen,
                     "truncated or damaged: %s (program header %u: offset %llu, %llu B) "
                     "extends beyond the end of the file (%llu B)",
                     segment_name(ph.p_type), i, (unsigned long long)ph.p_offset,
                     (unsigned long long)ph.p_filesz, size);
            return -1;
        }
    }
    f->shnum = 0;
    if (eh->e_shoff == 0) return 0; /* no section headers: stripped of them, still valid */
    if (eh->e_shentsize != sizeof(Elf64_Shdr)) {
        snprintf(why, whylen, "damaged: section header entries of %u B", eh->e_shentsize);
        return -1;
    }
    Elf64_Shdr sh0;
    if (!in_file(f, eh->e_shoff, sizeof sh0) || read_shdr(f, 0, &sh0) != 0) {
        snprintf(why, whylen,
                 "truncated or damaged: section header table (offset %llu) beyond the end of "
                 "the file (%llu B)",
                 (unsigned long long)eh->e_shoff, size);
        return -1;
    }
    /* 0 sections with a table present: the real count is section 0's sh_size (ELF gABI). */
    f->shnum = eh->e_shnum ? eh->e_shnum : sh0.sh_size;
    if (f->shnum > f->size / sizeof(Elf64_Shdr) ||
        !in_file(f, eh->e_shoff, f->shnum * sizeof(Elf64_Shdr))) {
        snprintf(why, whylen,
                 "truncated or damaged: section header table (offset %llu, %llu entries) "
                 "extends beyond the end of the file (%llu B)",
                 (unsigned long long)eh->e_shoff, (unsigned long long)f->shnum, size);
        return -1;
    }
    for (uint64_t i = 0; i < f->shnum; i++) {
        Elf64_Shdr sh;
        if (read_shdr(f, i, &sh) != 0) {
            snprintf(why, whylen, "cannot read section header %llu", (unsigned long long)i);
            return -1;
        }
        if (sh.sh_type != SHT_NOBITS && sh.sh_size > 0 && !in_file(f, sh.sh_offset, sh.sh_size)) {
            snprintf(why, whylen,
                     "truncated or damaged: section %llu (offset %llu, %llu B) extends beyond "
                     "the end of the file (%llu B)",
                     (unsigned long long)i, (unsigned long long)sh.sh_offset,
                     (unsigned long long)sh.sh_size, size);
            return -1;
        }
    }
    return 0;
}

/* ---- Notes ------------------------------------------------------------------------------ */

/* Where notes are read from: a file (pread) or the running program's memory. */
typedef struct note_src {
    int fd;             /* >= 0: the file */
    const uint8_t *mem; /* otherwise: memory */
} note_src;

static int src_read(const note_src *s, uint64_t off, void *buf, size_t n)
{
    if (s->fd >= 0) return read_at(s->fd, buf, n, off);
    memcpy(buf, s->mem + off, n);
    return 0;
}

/* The NT_GNU_BUILD_ID note among the notes in the LEN bytes at START of S, into HEX.  Each
 * note is a 12-byte header, its name, and its descriptor; the descriptor and the next note
 * start at offsets rounded up to ALIGN (4, or 8 in an 8-aligned area such as the GNU
 * property note's).  0 found, 1 none, -1 a malformed area (a note running past its end), a
 * read error, or an id that does not fit in CAP. */
static int find_build_id(const note_src *s, uint64_t start, uint64_t len, uint64_t align, char *hex,
                         size_t cap)
{
    uint64_t pos = 0;
    while (len - pos >= sizeof(Elf64_Nhdr)) {
        Elf64_Nhdr nh;
        if (src_read(s, start + pos, &nh, sizeof nh) != 0) return -1;
        uint64_t name_pos = pos + sizeof nh;
        if (nh.n_namesz > len - name_pos) return -1;
        uint64_t desc_pos = (name_pos + nh.n_namesz + align - 1) & ~(align - 1);
        if (desc_pos > len || nh.n_descsz > len - desc_pos) return -1;
        char name[4];
        if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == sizeof name &&
            src_read(s, start + name_pos, name, sizeof name) == 0 && memcmp(name, "GNU", 4) == 0) {
            uint8_t id[BUILD_ID_MAX_BYTES];
            if (nh.n_descsz == 0 || nh.n_descsz > sizeof id || 2 * (size_t)nh.n_descsz + 1 > cap ||
                src_read(s, start + desc_pos, id, nh.n_descsz) != 0)
                return -1;
            to_hex(id, nh.n_descsz, hex);
            return 0;
        }
        /* The last note's padding may be left out of the area. */
        pos = (desc_pos + nh.n_descsz + align - 1) & ~(align - 1);
        if (pos > len) pos = len;
    }
    return 1;
}

static uint64_t note_align(uint64_t a)
{
    return a == 8 ? 8 : 4;
}

int sim_elf_build_id(const char *path, char *hex, size_t cap)
{
    if (cap > 0) hex[0] = '\0';
    elf_file f;
    char why[256];
    if (elf_open(path, &f, why, sizeof why) != 0) return -1;
    int rc = elf_structure(&f, why, sizeof why) != 0 ? -1 : 1;
    const note_src src = {.fd = f.fd};
    /* Segments first (what a loaded image keeps), then sections; both checked in range. */
    for (unsigned i = 0; rc == 1 && i < f.eh.e_phnum; i++) {
        Elf64_Phdr ph;
        if (read_phdr(&f, i, &ph) != 0)
            rc = -1;
        else if (ph.p_type == PT_NOTE)
            rc = find_build_id(&src, ph.p_offset, ph.p_filesz, note_align(ph.p_align), hex, cap);
    }
    for (uint64_t i = 0; rc == 1 && i < f.shnum; i++) {
        Elf64_Shdr sh;
        if (read_shdr(&f, i, &sh) != 0)
            rc = -1;
        else if (sh.sh_type == SHT_NOTE)
            rc = find_build_id(&src, sh.sh_offset, sh.sh_size, note_align(sh.sh_addralign), hex,
                               cap);
    }
    close(f.fd);
    if (rc != 0 && cap > 0) hex[0] = '\0';
    return rc;
}

/* ---- The pre-dlopen check --------------------------------------------------------------- */

int sim_elf_check(const char *path, char *err, size_t errlen)
{
    elf_file f;
    char why[256];
    if (elf_open(path, &f, why, sizeof why) != 0) {
        snprintf(err, errlen, "%s: %s", path, why);
        return -1;
    }
    int rc = -1;
    if (f.eh.e_machine != SIM_ELF_MACHINE)
        snprintf(why, sizeof why, "ELF for machine %u, this build runs on machine %u",
                 f.eh.e_machine, (unsigned)SIM_ELF_MACHINE);
    else if (f.eh.e_type != ET_DYN)
        snprintf(why, sizeof why, "not a shared object (ELF type %u, expected ET_DYN)",
                 f.eh.e_type);
    else if (f.eh.e_phnum == 0)
        snprintf(why, sizeof why, "damaged: no program headers");
    else
        rc = elf_structure(&f, why, sizeof why);
    close(f.fd);
    if (rc != 0) snprintf(err, errlen, "%s: %s", path, why);
    return rc;
}

/* ---- This build ------------------------------------------------------------------------- */

typedef struct self_id {
    char *hex;
    size_t cap;
    int rc;
} self_id;

/* Called first for the main program (glibc lists it first); stops after it. */
static int self_phdr(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    self_id *s = data;
    for (unsigned i = 0; s->rc == 1 && i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_NOTE) continue;
        const note_src src = {.fd = -1, .mem = (const uint8_t *)(info->dlpi_addr + ph->p_vaddr)};
        s->rc = find_build_id(&src, 0, ph->p_memsz, note_align(ph->p_align), s->hex, s->cap);
    }
    return 1;
}

int sim_self_build_id(char *hex, size_t cap)
{
    if (cap > 0) hex[0] = '\0';
    self_id s = {hex, cap, 1};
    dl_iterate_phdr(self_phdr, &s);
    if (s.rc != 0 && cap > 0) hex[0] = '\0';
    return s.rc;
}
