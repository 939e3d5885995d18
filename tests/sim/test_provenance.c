/* Provenance (sim/provenance.h): SHA-256 of files against published vectors, build ids
 * against what readelf prints, and the ELF reader on files it must refuse without crashing
 * or reading out of bounds (run under ASan/UBSan in the sanitizer build): every truncation of
 * a real firmware image, headers and notes made hostile by hand, random bytes and random
 * mutations of a real image's headers. */
#include "provenance.h"

#include <criterion/criterion.h>
#include <elf.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmp_path[64];

/* A file of N bytes of BUF, the same path for the whole test (removed by fini). */
static const char *write_tmp(const void *buf, size_t n)
{
    if (!tmp_path[0]) snprintf(tmp_path, sizeof tmp_path, "/tmp/metersim-prov-%ld", (long)getpid());
    FILE *f = fopen(tmp_path, "wb");
    cr_assert(f, "%s", tmp_path);
    cr_assert_eq(fwrite(buf, 1, n, f), n);
    cr_assert_eq(fclose(f), 0);
    return tmp_path;
}

static void remove_tmp(void)
{
    if (tmp_path[0]) remove(tmp_path);
}

/* The whole file at PATH, malloc'd. */
static uint8_t *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    cr_assert(f, "%s", path);
    struct stat st;
    cr_assert_eq(fstat(fileno(f), &st), 0);
    *n = (size_t)st.st_size;
    uint8_t *b = malloc(*n ? *n : 1);
    cr_assert(b);
    cr_assert_eq(fread(b, 1, *n, f), *n);
    fclose(f);
    return b;
}

/* The build id readelf prints for PATH, or "" when it prints none. */
static void readelf_build_id(const char *path, char *out, size_t cap)
{
    char cmd[1024], line[512];
    snprintf(cmd, sizeof cmd, "readelf -n '%s' 2>/dev/null", path);
    FILE *p = popen(cmd, "r");
    cr_assert(p, "%s", cmd);
    out[0] = '\0';
    while (fgets(line, sizeof line, p)) {
        const char *k = strstr(line, "Build ID: ");
        if (k && !out[0]) {
            snprintf(out, cap, "%s", k + strlen("Build ID: "));
            out[strcspn(out, " \n")] = '\0';
        }
    }
    pclose(p);
}

static int have_readelf(void)
{
    return system("readelf --version > /dev/null 2>&1") == 0;
}

/* ---- SHA-256 ---- */

static void sha_of(const void *buf, size_t n, const char *want)
{
    char hex[65], err[256];
    cr_assert_eq(sim_file_sha256(write_tmp(buf, n), hex, err, sizeof err), 0, "%s", err);
    cr_assert_str_eq(hex, want, "%zu bytes", n);
}

Test(provenance, sha256_known_vectors, .fini = remove_tmp)
{
    sha_of("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    sha_of("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    sha_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
           "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    /* One million 'a': several read chunks. */
    char *m = malloc(1000000);
    cr_assert(m);
    memset(m, 'a', 1000000);
    sha_of(m, 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(m);
}

Test(provenance, sha256_errors_name_path_and_reason)
{
    char hex[65] = "x", err[256] = "";
    cr_assert_eq(sim_file_sha256("/nonexistent/metersim-prov", hex, err, sizeof err), -1);
    cr_assert_str_eq(err, "/nonexistent/metersim-prov: No such file or directory");
    cr_assert_str_eq(hex, "");
    cr_assert_eq(sim_file_sha256("/tmp", hex, err, sizeof err), -1);
    cr_assert(strstr(err, "/tmp: ") == err && strstr(err, "directory"), "%s", err);
}

/* ---- Build ids of real files ---- */

static void build_id_as_readelf(const char *path)
{
    char want[256], got[SIM_BUILD_ID_HEX_MAX];
    readelf_build_id(path, want, sizeof want);
    cr_assert(want[0], "readelf prints no build id for %s (the build must link --build-id)", path);
    cr_assert_eq(sim_elf_build_id(path, got, sizeof got), 0, "%s", path);
    cr_assert_str_eq(got, want, "%s", path);
}

Test(provenance, build_id_equals_readelf)
{
    if (!have_readelf()) cr_skip_test("no readelf");
    build_id_as_readelf(PROV_FW_SMETS2);
    build_id_as_readelf(PROV_FW_SMETS1);
    build_id_as_readelf(getenv("METERSIM_BIN"));
    /* The two images are different builds. */
    char a[SIM_BUILD_ID_HEX_MAX], b[SIM_BUILD_ID_HEX_MAX];
    cr_assert_eq(sim_elf_build_id(PROV_FW_SMETS2, a, sizeof a), 0);
    cr_assert_eq(sim_elf_build_id(PROV_FW_SMETS1, b, sizeof b), 0);
    cr_assert_str_neq(a, b);
}

Test(provenance, build_id_buffer_too_small)
{
    char hex[40] = "x";
    cr_assert_eq(sim_elf_build_id(PROV_FW_SMETS2, hex, sizeof hex), -1); /* 20 B: 41 needed */
    cr_assert_str_eq(hex, "");
    char ok[41];
    cr_assert_eq(sim_elf_build_id(PROV_FW_SMETS2, ok, sizeof ok), 0);
    cr_assert_eq(strlen(ok), 40);
}

Test(provenance, self_build_id)
{
    char self[SIM_BUILD_ID_HEX_MAX], file[SIM_BUILD_ID_HEX_MAX];
    cr_assert_eq(sim_self_build_id(self, sizeof self), 0);
    cr_assert_eq(sim_elf_build_id("/proc/self/exe", file, sizeof file), 0);
    cr_assert_str_eq(self, file);
    char small[8];
    cr_assert_eq(sim_self_build_id(small, sizeof small), -1);
}

Test(provenance, git_describe)
{
    const char *d = sim_build_git_describe();
    cr_assert(d && d[0]);
    for (const char *p = d; *p; p++)
        cr_assert(*p > ' ' && *p < 127, "\"%s\"", d);
}

/* ---- Hand-made ELF files ---- */

/* An ELF64 shared object of this machine: header, one PT_NOTE program header at 64, notes
 * at 120 (NOTES, N bytes), nothing else. */
typedef struct mini {
    Elf64_Ehdr eh;
    Elf64_Phdr ph;
    uint8_t notes[256];
} mini;

static void mini_init(mini *m, const void *notes, size_t n)
{
    memset(m, 0, sizeof *m);
    memcpy(m->eh.e_ident, ELFMAG, SELFMAG);
    m->eh.e_ident[EI_CLASS] = ELFCLASS64;
    m->eh.e_ident[EI_DATA] = ELFDATA2LSB;
    m->eh.e_ident[EI_VERSION] = EV_CURRENT;
    m->eh.e_type = ET_DYN;
    m->eh.e_machine = EM_X86_64;
#if defined(__aarch64__)
    m->eh.e_machine = EM_AARCH64;
#endif
    m->eh.e_version = EV_CURRENT;
    m->eh.e_ehsize = sizeof(Elf64_Ehdr);
    m->eh.e_phoff = offsetof(mini, ph);
    m->eh.e_phentsize = sizeof(Elf64_Phdr);
    m->eh.e_phnum = 1;
    m->ph.p_type = PT_NOTE;
    m->ph.p_offset = offsetof(mini, notes);
    m->ph.p_filesz = n;
    m->ph.p_memsz = n;
    m->ph.p_align = 4;
    memcpy(m->notes, notes, n);
}

/* A note: header, name padded to 4, DESC padded to 4; its size. */
static size_t note(uint8_t *out, uint32_t type, const char *name, const void *desc, uint32_t dn)
{
    Elf64_Nhdr h = {(uint32_t)strlen(name) + 1, dn, type};
    size_t k = 0;
    memcpy(out, &h, sizeof h);
    k += sizeof h;
    memset(out + k, 0, (h.n_namesz + 3u) & ~3u);
    memcpy(out + k, name, h.n_namesz);
    k += (h.n_namesz + 3u) & ~3u;
    memset(out + k, 0, (dn + 3u) & ~3u);
    memcpy(out + k, desc, dn);
    return k + ((dn + 3u) & ~3u);
}

static int mini_build_id(const mini *m, size_t file_size, char *hex)
{
    return sim_elf_build_id(write_tmp(m, file_size), hex, SIM_BUILD_ID_HEX_MAX);
}

Test(provenance, hand_made_notes, .fini = remove_tmp)
{
    uint8_t notes[256];
    const uint8_t id[5] = {0xde, 0xad, 0x00, 0xbe, 0xef};
    char hex[SIM_BUILD_ID_HEX_MAX];
    mini m;

    /* An ABI tag, then the build id: found after skipping the first note. */
    size_t n = note(notes, NT_GNU_ABI_TAG, "GNU", "\0\0\0\0\3\0\0\0\2\0\0\0\0\0\0\0", 16);
    n += note(notes + n, NT_GNU_BUILD_ID, "GNU", id, sizeof id);
    mini_init(&m, notes, n);
    cr_assert_eq(mini_build_id(&m, sizeof m, hex), 0);
    cr_assert_str_eq(hex, "dead00beef");
    char err[256];
    cr_assert_eq(sim_elf_check(tmp_path, err, sizeof err), 0, "%s", err);

    /* An 8-aligned area (as PT_GNU_PROPERTY's): the descriptor follows the 4-byte name
     * directly, at offset 16 of the note. */
    const uint8_t prop[16] = {2, 0, 0, 0xc0, 4, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0};
    n = note(notes, NT_GNU_PROPERTY_TYPE_0, "GNU", prop, sizeof prop);
    n += note(notes + n, NT_GNU_BUILD_ID, "GNU", id, sizeof id);
    mini_init(&m, notes, n);
    m.ph.p_align = 8;
    cr_assert_eq(mini_build_id(&m, sizeof m, hex), 0);
    cr_assert_str_eq(hex, "dead00beef");

    /* Another owner's note of type 3 is not a GNU build id. */
    mini_init(&m, notes, note(notes, NT_GNU_BUILD_ID, "Go", id, sizeof id));
    cr_assert_eq(mini_build_id(&m, sizeof m, hex), 1);
    cr_assert_str_eq(hex, "");

    /* No notes at all, and no program headers at all: a valid file without a build id. */
    mini_init(&m, notes, 0);
    cr_assert_eq(mini_build_id(&m, sizeof m, hex), 1);
    m.eh.e_phnum = 0;
    cr_assert_eq(mini_build_id(&m, sizeof m.eh, hex), 1);

    /* A build id longer than 64 bytes, or empty: refused, nothing written past HEX. */
    uint8_t big[100];
    memset(big, 0xab, sizeof big);
    mini_init(&m, notes, note(notes, NT_GNU_BUILD_ID, "GNU", big, sizeof big));
    cr_assert_eq(mini_build_id(&m, sizeof m, hex), -1);
    mini_init(&m, notes, note(notes, NT_GNU_BUILD_ID, "GNU", big, 0));
    cr_assert_eq(mini_build_id(&m, sizeof m, hex), -1);

    /* Hostile sizes in the note header: past the note area, and wrapping 32 bits. */
    const uint32_t sizes[][2] = {{4, 200},         {4, 0xFFFFFFFFu}, {0xFFFFFFFFu, 20},
                                 {0xFFFFFFFDu, 4}, {200, 20},        {4, 0xFFFFFFFCu}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        mini_init(&m, notes, note(notes, NT_GNU_BUILD_ID, "GNU", id, sizeof id));
        Elf64_Nhdr h = {sizes[i][0], sizes[i][1], NT_GNU_BUILD_ID};
        memcpy(m.notes, &h, sizeof h);
        cr_assert_eq(mini_build_id(&m, sizeof m, hex), -1, "sizes %u %u", sizes[i][0], sizes[i][1]);
    }

    /* The note segment itself out of the file, or wrapping 64 bits. */
    mini_init(&m, notes, note(notes, NT_GNU_BUILD_ID, "GNU", id, sizeof id));
    m.ph.p_offset = sizeof m - 8;
    cr_assert_eq(mini_build_id(&m, sizeof m, hex), -1);
    m.ph.p_offset = UINT64_MAX - 4;
    cr_assert_eq(mini_build_id(&m, sizeof m, hex), -1);
    m.ph.p_offset = offsetof(mini, notes);
    m.ph.p_filesz = UINT64_MAX;
    cr_assert_eq(mini_build_id(&m, sizeof m, hex), -1);

    /* Program and section header tables out of the file, wrapping, or of the wrong size. */
    mini_init(&m, notes, note(notes, NT_GNU_BUILD_ID, "GNU", id, sizeof id));
    m.eh.e_phoff = UINT64_MAX - 8;
    cr_assert_eq(mini_build_id(&m, sizeof m, hex), -1);
    m.eh.e_phoff = offsetof(mini, ph);
    m.eh.e_phnum = 0xFFFE;
    cr_assert_eq(mini_build_id(&m, sizeof m, hex), -1);
    m.eh.e_phnum = PN_XNUM;
    cr_assert_eq(mini_build_id(&m, sizeof m, hex), -1);
    m.eh.e_phnum = 1;
    m.eh.e_phentsize = 32;
    cr_assert_eq(mini_build_id(&m, sizeof m, hex), -1);
    m.eh.e_phentsize = sizeof(Elf64_Phdr);
    m.eh.e_shoff = sizeof m - 10;
    m.eh.e_shentsize = sizeof(Elf64_Shdr);
    m.eh.e_shnum = 3;
    cr_assert_eq(mini_build_id(&m, sizeof m, hex), -1);
    m.eh.e_shoff = UINT64_MAX - 63;
    cr_assert_eq(mini_build_id(&m, sizeof m, hex), -1);
    /* Extended section count (e_shnum 0): section 0's sh_size, here absurd. */
    m.eh.e_shoff = offsetof(mini, notes) + 64;
    m.eh.e_shnum = 0;
    Elf64_Shdr sh0 = {.sh_size = UINT64_MAX / 2};
    memcpy(m.notes + 64, &sh0, sizeof sh0);
    cr_assert_eq(mini_build_id(&m, sizeof m, hex), -1);
}

/* A build id found only in a SHT_NOTE section (no PT_NOTE segment). */
Test(provenance, build_id_from_section, .fini = remove_tmp)
{
    typedef struct sect_file {
        Elf64_Ehdr eh;
        Elf64_Shdr sh[2];
        uint8_t notes[64];
    } sect_file;
    sect_file f;
    memset(&f, 0, sizeof f);
    mini m;
    mini_init(&m, "", 0);
    f.eh = m.eh;
    f.eh.e_type = ET_REL;
    f.eh.e_phoff = 0;
    f.eh.e_phnum = 0;
    f.eh.e_shoff = offsetof(sect_file, sh);
    f.eh.e_shentsize = sizeof(Elf64_Shdr);
    f.eh.e_shnum = 2;
    const uint8_t id[3] = {1, 2, 0xff};
    size_t n = note(f.notes, NT_GNU_BUILD_ID, "GNU", id, sizeof id);
    f.sh[1].sh_type = SHT_NOTE;
    f.sh[1].sh_offset = offsetof(sect_file, notes);
    f.sh[1].sh_size = n;
    f.sh[1].sh_addralign = 4;
    char hex[SIM_BUILD_ID_HEX_MAX], err[256];
    cr_assert_eq(sim_elf_build_id(write_tmp(&f, sizeof f), hex, sizeof hex), 0);
    cr_assert_str_eq(hex, "0102ff");
    /* ... not a shared object, so no image. */
    cr_assert_eq(sim_elf_check(tmp_path, err, sizeof err), -1);
    cr_assert(strstr(err, "not a shared object"), "%s", err);
    /* The section's bytes beyond the file: damaged. */
    f.sh[1].sh_offset = sizeof f - 4;
    cr_assert_eq(sim_elf_build_id(write_tmp(&f, sizeof f), hex, sizeof hex), -1);
}

/* A real image without its build id note (objcopy), when binutils are there. */
Test(provenance, no_build_id, .fini = remove_tmp)
{
    if (system("objcopy --version > /dev/null 2>&1") != 0) cr_skip_test("no objcopy");
    write_tmp("", 0);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "objcopy --remove-section=.note.gnu.build-id '%s' '%s'",
             PROV_FW_SMETS2, tmp_path);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
    char hex[SIM_BUILD_ID_HEX_MAX] = "x", want[256] = "";
    if (have_readelf()) {
        readelf_build_id(tmp_path, want, sizeof want);
        cr_assert_str_eq(want, "", "objcopy left the build id");
    }
    cr_assert_eq(sim_elf_build_id(tmp_path, hex, sizeof hex), 1);
    cr_assert_str_eq(hex, "");
}

/* ---- The image check ---- */

static void refused(const char *path, const char *why)
{
    char err[1024] = "";
    cr_assert_eq(sim_elf_check(path, err, sizeof err), -1, "%s accepted", path);
    cr_assert(strncmp(err, path, strlen(path)) == 0, "path not named: %s", err);
    cr_assert(strstr(err, why), "\"%s\" lacks \"%s\"", err, why);
    cr_assert(!strchr(err, '\n'), "%s", err);
}

Test(provenance, check_accepts_images)
{
    char err[1024] = "";
    cr_assert_eq(sim_elf_check(PROV_FW_SMETS2, err, sizeof err), 0, "%s", err);
    cr_assert_eq(sim_elf_check(PROV_FW_SMETS1, err, sizeof err), 0, "%s", err);
}

Test(provenance, check_refuses, .fini = remove_tmp)
{
    refused("/nonexistent/fw.so", "No such file or directory");
    refused("/tmp", "not a regular file");
    refused("/dev/null", "not a regular file");
    uint8_t zeros[4096] = {0};
    refused(write_tmp(zeros, sizeof zeros), "not an ELF file");
    refused(write_tmp("not a shared object\n", 20), "not an ELF file");
    refused(write_tmp("\177ELF", 4), "not an ELF file");
    mini m;
    mini_init(&m, "", 0);
    refused(write_tmp(&m, 40), "shorter than an ELF header");
    m.eh.e_ident[EI_CLASS] = ELFCLASS32;
    refused(write_tmp(&m, sizeof m), "not a 64-bit ELF file");
    mini_init(&m, "", 0);
    m.eh.e_ident[EI_DATA] = ELFDATA2MSB;
    refused(write_tmp(&m, sizeof m), "byte order");
    mini_init(&m, "", 0);
    m.eh.e_machine = EM_ARM;
    refused(write_tmp(&m, sizeof m), "machine");
    mini_init(&m, "", 0);
    m.eh.e_type = ET_REL;
    refused(write_tmp(&m, sizeof m), "not a shared object");
    m.eh.e_type = ET_EXEC;
    refused(write_tmp(&m, sizeof m), "not a shared object");
    mini_init(&m, "", 0);
    m.eh.e_phnum = 0;
    refused(write_tmp(&m, sizeof m), "no program headers");
    mini_init(&m, "", 0);
    m.ph.p_type = PT_LOAD;
    m.ph.p_filesz = 4096;
    refused(write_tmp(&m, sizeof m), "PT_LOAD (program header 0");
    m.ph.p_type = PT_DYNAMIC;
    refused(write_tmp(&m, sizeof m), "PT_DYNAMIC");
}

/* Every 97th length of a real image, from empty to one byte short: refused by the check,
 * no build id (the file is damaged), no crash; the whole file is fine. */
Test(provenance, truncated_images, .fini = remove_tmp)
{
    size_t n;
    uint8_t *img = slurp(PROV_FW_SMETS2, &n);
    char want[SIM_BUILD_ID_HEX_MAX], hex[SIM_BUILD_ID_HEX_MAX], err[1024];
    cr_assert_eq(sim_elf_build_id(PROV_FW_SMETS2, want, sizeof want), 0);
    const char *path = write_tmp(img, n);
    cr_assert_eq(sim_elf_build_id(path, hex, sizeof hex), 0);
    cr_assert_str_eq(hex, want);
    /* A few chosen lengths (3000 B: the program header table is whole; 40000 B: dlopen
     * crashes on it), then the one copy shrunk 97 bytes at a time. */
    const size_t chosen[] = {n - 1, n - 64, 40000, 3000};
    for (size_t i = 0; i < sizeof chosen / sizeof chosen[0]; i++) {
        write_tmp(img, chosen[i]);
        cr_assert_eq(sim_elf_build_id(path, hex, sizeof hex), -1, "length %zu", chosen[i]);
        cr_assert_eq(sim_elf_check(path, err, sizeof err), -1, "length %zu", chosen[i]);
        cr_assert(strstr(err, "truncated"), "%s", err);
    }
    write_tmp(img, n);
    int fd = open(path, O_WRONLY);
    cr_assert(fd >= 0);
    size_t tried = 0;
    for (size_t len = (n - 1) / 97 * 97;; len -= 97) {
        cr_assert_eq(ftruncate(fd, (off_t)len), 0);
        cr_assert_eq(sim_elf_build_id(path, hex, sizeof hex), -1, "length %zu", len);
        cr_assert_str_eq(hex, "");
        cr_assert_eq(sim_elf_check(path, err, sizeof err), -1, "length %zu", len);
        tried++;
        if (len == 0) break;
    }
    cr_assert_eq(tried, (n - 1) / 97 + 1);
    close(fd);
    free(img);
}

/* A small deterministic generator (xorshift64*). */
static uint64_t rnd(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1DULL;
}

/* Random bytes, with and without a valid ELF identification in front. */
Test(provenance, random_bytes, .fini = remove_tmp)
{
    uint64_t s = 0x9E3779B97F4A7C15ULL;
    uint8_t buf[8192];
    char hex[SIM_BUILD_ID_HEX_MAX], err[1024];
    mini m;
    mini_init(&m, "", 0);
    for (int i = 0; i < 2000; i++) {
        size_t n = (size_t)(rnd(&s) % sizeof buf);
        for (size_t k = 0; k < n; k++)
            buf[k] = (uint8_t)rnd(&s);
        if (i % 2 && n >= EI_NIDENT) memcpy(buf, m.eh.e_ident, EI_NIDENT);
        if (i % 4 == 3 && n >= sizeof m.eh) {
            /* Small table counts and offsets inside the file, so the tables get parsed. */
            Elf64_Ehdr eh;
            memcpy(&eh, buf, sizeof eh);
            eh.e_phentsize = sizeof(Elf64_Phdr);
            eh.e_shentsize = sizeof(Elf64_Shdr);
            eh.e_phoff = rnd(&s) % n;
            eh.e_shoff = rnd(&s) % n;
            eh.e_phnum = (uint16_t)(rnd(&s) % 16);
            eh.e_shnum = (uint16_t)(rnd(&s) % 16);
            memcpy(buf, &eh, sizeof eh);
        }
        const char *path = write_tmp(buf, n);
        int rc = sim_elf_build_id(path, hex, sizeof hex);
        cr_assert(rc >= -1 && rc <= 1);
        cr_assert(rc == 0 || hex[0] == '\0');
        sim_elf_check(path, err, sizeof err);
    }
}

/* A real image with random bytes of its first 4 KiB (headers, notes) overwritten: any answer
 * but a crash; a build id found is well-formed. */
Test(provenance, mutated_image_headers, .fini = remove_tmp)
{
    size_t n;
    uint8_t *img = slurp(PROV_FW_SMETS2, &n);
    uint8_t *mut = malloc(n);
    cr_assert(mut);
    uint64_t s = 12345;
    char hex[SIM_BUILD_ID_HEX_MAX], err[1024];
    size_t head = n < 4096 ? n : 4096;
    for (int i = 0; i < 400; i++) {
        memcpy(mut, img, n);
        int flips = 1 + (int)(rnd(&s) % 8);
        for (int k = 0; k < flips; k++)
            mut[rnd(&s) % head] = (uint8_t)rnd(&s);
        const char *path = write_tmp(mut, n);
        int rc = sim_elf_build_id(path, hex, sizeof hex);
        cr_assert(rc >= -1 && rc <= 1);
        if (rc == 0) cr_assert(strlen(hex) % 2 == 0 && strlen(hex) >= 2, "%s", hex);
        sim_elf_check(path, err, sizeof err);
    }
    free(mut);
    free(img);
}
