/* Provenance of what a run executes: the SHA-256 of a file, the GNU build id of an ELF file,
 * a check of a firmware image's ELF structure before dlopen, and the identity of this
 * build (git describe of its source tree, the executable's own build id).
 *
 * ELF files are read with pread only; every offset and size is checked against the file's
 * size, so truncated, damaged or hostile files give an error, never a crash.  ELF64
 * little-endian only (every platform metersim builds for).
 * Not here: recording any of it in the trace.
 */
#ifndef SIM_PROVENANCE_H
#define SIM_PROVENANCE_H

#include <stddef.h>

/* Buffer size for a build id in hex: ids of up to 64 bytes (GNU ld makes 16 or 20). */
#define SIM_BUILD_ID_HEX_MAX 129

/* SHA-256 of the bytes of the file at PATH as 64 lowercase hex digits and a NUL.
 * Returns 0, or -1 with "PATH: reason" in ERR. */
int sim_file_sha256(const char *path, char hex[65], char *err, size_t errlen);

/* The GNU build id (NT_GNU_BUILD_ID note, from PT_NOTE segments or SHT_NOTE sections) of the
 * ELF64 little-endian file at PATH, in lowercase hex, NUL-terminated, into HEX of CAP bytes
 * (SIM_BUILD_ID_HEX_MAX is always enough).  Returns 0 found, 1 a well-formed ELF64 file
 * without a build id, -1 not readable, not ELF64 LE, truncated or damaged (the program or
 * section header table, or a segment's or section's bytes, beyond the end of the file), or
 * an id longer than CAP allows.  HEX is "" unless 0 is returned. */
int sim_elf_build_id(const char *path, char *hex, size_t cap);

/* May PATH be handed to dlopen as a firmware image?  Refuses a file that is missing, not a
 * regular file, not ELF64 for this machine (class, byte order, e_machine of this build), not
 * a shared object (ET_DYN), or truncated or damaged (header tables, segments or sections
 * beyond the end of the file): dlopen would crash on some of these (SIGBUS on a truncated
 * file).  Returns 0, or -1 with a one-line "PATH: reason" in ERR. */
int sim_elf_check(const char *path, char *err, size_t errlen);

/* `git describe --always --dirty --tags` of the source tree this executable was built from
 * (e.g. "f793d63-dirty"), refreshed at every build; "unknown" when built outside a git
 * checkout or without git. */
const char *sim_build_git_describe(void);

/* The GNU build id of the running executable (its PT_NOTE segments in memory), as for
 * sim_elf_build_id: 0 found, 1 none, -1 HEX too small. */
int sim_self_build_id(char *hex, size_t cap);

#endif
