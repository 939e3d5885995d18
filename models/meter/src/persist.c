/* Two-bank CRC-protected records in NVM (see mm/persist.h). */
#include <stdbool.h>
#include <string.h>

#include "mm/bytes.h"
#include "mm/crc.h"
#include "mm/meter.h"
#include "mm/persist.h"
#include "mm/status_supply.h"

uint32_t mm_persist_footprint(uint16_t max_payload)
{
    return 2u * ((uint32_t)max_payload + MM_PERSIST_OVERHEAD);
}

static uint32_t bank_addr(const mm_persist *p, unsigned bank)
{
    return p->addr + bank * ((uint32_t)p->max_payload + MM_PERSIST_OVERHEAD);
}

int mm_persist_init(mm_persist *p, mm_hal_nvm *nvm, uint32_t addr, uint16_t max_payload,
                    uint16_t version)
{
    if (p == NULL) return MM_EINVAL;
    memset(p, 0, sizeof *p);
    if (nvm == NULL) return MM_EINVAL;
    uint32_t size = mm_hal_nvm_size(nvm);
    uint32_t need = mm_persist_footprint(max_payload);
    if (addr > size || need > size - addr) return MM_EINVAL;
    p->nvm = nvm;
    p->addr = addr;
    p->max_payload = max_payload;
    p->version = version;
    return MM_OK;
}

/* The header H's payload length in *N: MM_OK, MM_ENOENT for no record (no magic),
 * MM_ECORRUPT for a length beyond MAX_PAYLOAD. */
static int header_check(const uint8_t *h, uint16_t max_payload, uint16_t *n)
{
    *n = (uint16_t)mm_get_le(h + 8, 2);
    if (mm_get_le32(h) != MM_PERSIST_MAGIC) return MM_ENOENT;
    return *n > max_payload ? MM_ECORRUPT : MM_OK;
}

bool mm_persist_bank_intact(const void *bank, uint16_t max_payload, uint32_t *seq)
{
    const uint8_t *b = bank;
    uint16_t n;
    if (header_check(b, max_payload, &n) != MM_OK) return false;
    if (mm_get_le32(b + MM_PERSIST_HEADER_LEN + n) !=
        mm_crc32(0, b, MM_PERSIST_HEADER_LEN + (size_t)n))
        return false;
    *seq = mm_get_le32(b + 4);
    return true;
}

/* Check bank B: MM_OK (its sequence and payload length), MM_EVERSION for an intact record of
 * another layout version (sequence and length too), MM_ENOENT for no record (no magic),
 * MM_ECORRUPT for a damaged one, MM_EIO. */
static int check_bank(const mm_persist *p, unsigned b, uint32_t *seq, uint16_t *len)
{
    uint8_t h[MM_PERSIST_HEADER_LEN];
    uint32_t a = bank_addr(p, b);
    if (mm_hal_nvm_read(p->nvm, a, h, sizeof h) != MM_OK) return MM_EIO;
    uint16_t n, ver = (uint16_t)mm_get_le(h + 10, 2);
    int rc = header_check(h, p->max_payload, &n);
    if (rc != MM_OK) return rc;
    /* CRC streamed through a small buffer: no bank-sized copy on the stack */
    uint32_t crc = mm_crc32(0, h, sizeof h);
    uint8_t chunk[32];
    for (uint32_t off = 0; off < n;) {
        uint32_t k = n - off < sizeof chunk ? n - off : (uint32_t)sizeof chunk;
        if (mm_hal_nvm_read(p->nvm, a + MM_PERSIST_HEADER_LEN + off, chunk, k) != MM_OK)
            return MM_EIO;
        crc = mm_crc32(crc, chunk, k);
        off += k;
    }
    uint8_t c[4];
    if (mm_hal_nvm_read(p->nvm, a + MM_PERSIST_HEADER_LEN + n, c, 4) != MM_OK) return MM_EIO;
    if (mm_get_le32(c) != crc) return MM_ECORRUPT;
    *seq = mm_get_le32(h + 4);
    *len = n;
    return ver == p->version ? MM_OK : MM_EVERSION;
}

int mm_persist_load(mm_persist *p, void *buf, size_t cap, size_t *len)
{
    if (p == NULL || p->nvm == NULL || buf == NULL || len == NULL) return MM_EINVAL;
    uint32_t seq[2] = {0, 0};
    uint16_t n[2] = {0, 0};
    int rc[2];
    for (unsigned b = 0; b < 2; b++) {
        rc[b] = check_bank(p, b, &seq[b], &n[b]);
        if (rc[b] == MM_EIO) return MM_EIO;
    }
    /* intact banks, of any version: the newest decides, so an older record of this version
     * never stands in for a newer one this build cannot read */
    bool ok0 = rc[0] == MM_OK || rc[0] == MM_EVERSION;
    bool ok1 = rc[1] == MM_OK || rc[1] == MM_EVERSION;
    if (!ok0 && !ok1) {
        p->valid = 0;
        return rc[0] == MM_ECORRUPT || rc[1] == MM_ECORRUPT ? MM_ECORRUPT : MM_ENOENT;
    }
    unsigned b = !ok0 ? 1u : !ok1 ? 0u : mm_persist_newer(seq[1], seq[0]) ? 1u : 0u;
    /* the next save supersedes the newest record, whatever its version */
    p->bank = (uint8_t)b;
    p->seq = seq[b];
    p->valid = 1;
    if (rc[b] == MM_EVERSION) return MM_EVERSION;
    if (n[b] > cap) return MM_EINVAL;
    if (mm_hal_nvm_read(p->nvm, bank_addr(p, b) + MM_PERSIST_HEADER_LEN, buf, n[b]) != MM_OK)
        return MM_EIO;
    *len = n[b];
    return MM_OK;
}

int mm_persist_save(mm_persist *p, const void *buf, size_t len)
{
    if (p == NULL || p->nvm == NULL || (buf == NULL && len > 0) || len > p->max_payload)
        return MM_EINVAL;
    unsigned b = p->valid ? 1u - p->bank : 0u;
    uint32_t seq = p->valid ? p->seq + 1u : 1u;
    uint32_t a = bank_addr(p, b);
    uint8_t h[MM_PERSIST_HEADER_LEN];
    mm_put_le(h, MM_PERSIST_MAGIC, 4);
    mm_put_le(h + 4, seq, 4);
    mm_put_le(h + 8, len, 2);
    mm_put_le(h + 10, p->version, 2);
    uint8_t c[4];
    mm_put_le(c, mm_crc32(mm_crc32(0, h, sizeof h), buf, len), 4);
    /* phase 1: the record; phase 2: its commit word */
    if (mm_hal_nvm_write(p->nvm, a, h, sizeof h) != MM_OK ||
        mm_hal_nvm_write(p->nvm, a + MM_PERSIST_HEADER_LEN, buf, len) != MM_OK ||
        mm_hal_nvm_sync(p->nvm) != MM_OK ||
        mm_hal_nvm_write(p->nvm, a + MM_PERSIST_HEADER_LEN + (uint32_t)len, c, 4) != MM_OK ||
        mm_hal_nvm_sync(p->nvm) != MM_OK)
        return MM_EIO;
    p->bank = (uint8_t)b;
    p->seq = seq;
    p->valid = 1;
    return MM_OK;
}
