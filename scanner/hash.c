#include <nettle/sha2.h>

#include "hash.h"

int um_sha256_hex(const uint8_t *p, uint64_t n, char out[65])
{
    static const char hex[] = "0123456789abcdef";
    struct sha256_ctx c;
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256_init(&c);
    while (n) {
        size_t chunk = n > (1u << 24) ? (1u << 24) : (size_t)n;
        sha256_update(&c, chunk, p);
        p += chunk;
        n -= chunk;
    }
    sha256_digest(&c, sizeof d, d);
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++) {
        out[2 * i] = hex[d[i] >> 4];
        out[2 * i + 1] = hex[d[i] & 15];
    }
    out[64] = 0;
    return 0;
}
