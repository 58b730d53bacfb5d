/*
 * Loads, or creates on first use, the credential-hashing key. The key's
 * bytes are never logged; only where it came from is.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "common/err.h"
#include "common/log.h"
#include "common/secret.h"
#include "common/xalloc.h"
#include "common/banned.h"

static int
read_key(const char *path, struct buf *key, struct buf *err)
{
    char chunk[1024];
    ssize_t n;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0) {
        buf_addf(err, "cannot read hash key file '%s': %s", path,
                 strerror(errno));
        return DRP_EIO;
    }
    while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
        if (buf_add(key, chunk, (size_t)n) < 0) {
            close(fd);
            buf_addf(err, "hash key file '%s' is larger than %d bytes",
                     path, SECRET_MAX_KEY);
            return DRP_ETOOBIG;
        }
    }
    close(fd);
    while (key->len > 0 && (key->ptr[key->len - 1] == '\n' ||
                            key->ptr[key->len - 1] == '\r'))
        key->ptr[--key->len] = '\0';
    if (key->len < 16) {
        buf_addf(err, "hash key in '%s' is shorter than 16 bytes", path);
        return DRP_EINVAL;
    }
    return 0;
}

/*
 * Makes path hold a new key unless it exists. The key is written whole to
 * a file of this process's own and linked to path in one step, so that a
 * process starting at the same moment never reads a key half written
 * (open(O_EXCL) then write() let it read an empty file); link() refuses
 * to replace a key another process linked first, and that one is used.
 */
static int
create_key(const char *path, struct buf *err)
{
    unsigned char raw[32];
    char hex[65], *tmp;
    int fd, rnd, rc = 0;
    size_t i;
    ssize_t got;
    struct stat st;

    if (stat(path, &st) == 0)
        return 0;
    rnd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (rnd < 0 || (got = read(rnd, raw, sizeof(raw))) != sizeof(raw)) {
        if (rnd >= 0)
            close(rnd);
        buf_addf(err, "cannot read /dev/urandom for a new hash key");
        return DRP_EIO;
    }
    close(rnd);
    for (i = 0; i < sizeof(raw); i++)
        snprintf(hex + 2 * i, 3, "%02x", raw[i]);
    OPENSSL_cleanse(raw, sizeof(raw));
    tmp = xasprintf("%s.%ld.new", path, (long)getpid());
    unlink(tmp); /* a file a crashed process of the same pid left */
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        buf_addf(err, "cannot create hash key file '%s': %s", tmp,
                 strerror(errno));
        rc = DRP_EIO;
    } else if (write(fd, hex, 64) != 64 || write(fd, "\n", 1) != 1 ||
               fsync(fd) < 0) {
        buf_addf(err, "cannot write hash key file '%s': %s", tmp,
                 strerror(errno));
        rc = DRP_EIO;
    }
    if (fd >= 0)
        close(fd);
    OPENSSL_cleanse(hex, sizeof(hex));
    if (rc == 0 && link(tmp, path) == 0) {
        log_info("created credential hash key: file='%s' (keep it: the "
                 "same key recognises the same password again)", path);
    } else if (rc == 0 && errno != EEXIST) { /* EEXIST: another's is there */
        buf_addf(err, "cannot create hash key file '%s': %s", path,
                 strerror(errno));
        rc = DRP_EIO;
    }
    if (fd >= 0)
        unlink(tmp);
    free(tmp);
    return rc;
}

int
secret_load_key(const char *key_file, const char *data_dir, struct buf *key,
                struct buf *err)
{
    const char *env = getenv("DRPWATCH_HASH_KEY");
    char *path;
    int rc;

    buf_reset(key);
    key->max = SECRET_MAX_KEY;
    if (env && *env) {
        if (strlen(env) < 16) {
            buf_addf(err, "DRPWATCH_HASH_KEY is shorter than 16 bytes");
            return DRP_EINVAL;
        }
        return buf_adds(key, env);
    }
    if (key_file)
        return read_key(key_file, key, err);
    if (mkdir(data_dir, 0700) < 0 && errno != EEXIST) {
        buf_addf(err, "cannot create data directory '%s': %s", data_dir,
                 strerror(errno));
        return DRP_EIO;
    }
    path = xasprintf("%s/hash.key", data_dir);
    rc = create_key(path, err);
    if (rc == 0)
        rc = read_key(path, key, err);
    free(path);
    return rc;
}

void
sha256_hex(const void *data, size_t len, char out[65])
{
    static const char digits[] = "0123456789abcdef";
    unsigned char md[32];
    unsigned int mdlen = 0;
    size_t i;

    EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
    for (i = 0; i < sizeof(md); i++) {
        out[2 * i] = digits[md[i] >> 4];
        out[2 * i + 1] = digits[md[i] & 15];
    }
    out[64] = '\0';
}
