/*
 * The credential-hashing key (HMAC-SHA-256 of leaked passwords). Never in
 * drpwatch.yaml: DRPWATCH_HASH_KEY, else the file the config names, else
 * DATA_DIR/hash.key, created once with 32 random bytes and mode 0600.
 */
#ifndef DRP_SECRET_H
#define DRP_SECRET_H

#include <stddef.h>

#include "common/buf.h"

#define SECRET_MAX_KEY 4096

/*
 * Loads the key into key (a buffer the caller releases). Returns 0, or
 * DRP_EIO/DRP_EINVAL with the reason in err (the key itself never is).
 */
int secret_load_key(const char *key_file, const char *data_dir,
                    struct buf *key, struct buf *err);

/* out = lowercase hex SHA-256 of data (64 digits and a NUL). */
void sha256_hex(const void *data, size_t len, char out[65]);

#endif
