/*
 * The Hyperscan database cache (hsdb.h): a SHA-256 of what is compiled
 * names a file "hs-<hex>.db" holding a header, the SHA-256 of the
 * serialized database and the database. Files are written under a
 * temporary name and renamed, so readers never see half of one.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "common/err.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "extract/hsdb.h"
#include "common/banned.h"

#define MAGIC "DRPHSDB1"
#define MAGIC_LEN 8
#define HASH_LEN 32
#define HEADER_LEN (MAGIC_LEN + HASH_LEN)

char *
hsdb_cache_dir(void)
{
    const char *env = getenv("DRPWATCH_CACHE_DIR");
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");

    if (env && strcmp(env, "off") == 0)
        return NULL;
    if (env && *env)
        return xstrdup(env);
    if (geteuid() == 0)
        return xstrdup("/var/cache/drpwatch");
    if (xdg && *xdg == '/')
        return xasprintf("%s/drpwatch", xdg);
    if (home && *home == '/')
        return xasprintf("%s/.cache/drpwatch", home);
    return NULL;
}

static void
sha256(const void *data, size_t n, unsigned char out[HASH_LEN])
{
    unsigned int len = 0;

    if (EVP_Digest(data, n, out, &len, EVP_sha256(), NULL) != 1 ||
        len != HASH_LEN)
        abort(); /* out of memory */
}

/* Adds n as 8 bytes, so that no two pattern lists hash alike. */
static void
hash_size(EVP_MD_CTX *ctx, uint64_t n)
{
    unsigned char b[8];
    size_t i;

    for (i = 0; i < 8; i++)
        b[i] = (unsigned char)(n >> (8 * i));
    EVP_DigestUpdate(ctx, b, sizeof(b));
}

/* The cache key of p on this machine, as 64 hex digits. */
static void
key_of(const struct hsdb_patterns *p, char hex[2 * HASH_LEN + 1])
{
    static const char digits[] = "0123456789abcdef";
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    hs_platform_info_t plat;
    unsigned char h[HASH_LEN];
    const char *version = hs_version();
    unsigned int i, len = 0;
    size_t n;

    if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
        abort(); /* out of memory */
    memset(&plat, 0, sizeof(plat));
    if (hs_populate_platform(&plat) != HS_SUCCESS)
        memset(&plat, 0xff, sizeof(plat)); /* no file will match it */
    hash_size(ctx, strlen(version));
    EVP_DigestUpdate(ctx, version, strlen(version));
    hash_size(ctx, plat.tune);
    hash_size(ctx, plat.cpu_features);
    hash_size(ctx, p->lens != NULL);
    hash_size(ctx, p->n);
    for (i = 0; i < p->n; i++) {
        n = p->lens ? p->lens[i] : strlen(p->exprs[i]);
        hash_size(ctx, n);
        EVP_DigestUpdate(ctx, p->exprs[i], n);
        hash_size(ctx, p->flags ? p->flags[i] : 0);
        hash_size(ctx, p->ids ? p->ids[i] : 0);
    }
    if (EVP_DigestFinal_ex(ctx, h, &len) != 1)
        abort();
    EVP_MD_CTX_free(ctx);
    for (i = 0; i < HASH_LEN; i++) {
        hex[2 * i] = digits[h[i] >> 4];
        hex[2 * i + 1] = digits[h[i] & 15];
    }
    hex[2 * HASH_LEN] = '\0';
}

/* Reads all of fd (at most max bytes) into *out; false past max. */
static bool
read_all(int fd, size_t size, char **out)
{
    char *b = xmalloc(size + 1);
    size_t got = 0;
    ssize_t k;

    while (got < size + 1) { /* one byte more: a file that grew */
        k = read(fd, b + got, size + 1 - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    if (got != size) {
        free(b);
        return false;
    }
    *out = b;
    return true;
}

/* The database saved at path, or NULL (the reason at debug level). */
static hs_database_t *
load(const char *path)
{
    hs_database_t *db = NULL;
    unsigned char h[HASH_LEN];
    struct stat st;
    char *b = NULL;
    int fd;

    fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno != ENOENT)
            log_debug("hsdb: cannot open path='%s': %s", path,
                      strerror(errno));
        return NULL;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
        st.st_uid != geteuid() || (st.st_mode & 022) != 0 ||
        st.st_size <= HEADER_LEN || st.st_size > (off_t)HSDB_MAX_FILE) {
        log_debug("hsdb: ignored path='%s': not a private regular file "
                  "of a sane size", path);
        goto out;
    }
    if (!read_all(fd, (size_t)st.st_size, &b)) {
        log_debug("hsdb: short read path='%s'", path);
        goto out;
    }
    sha256(b + HEADER_LEN, (size_t)st.st_size - HEADER_LEN, h);
    if (memcmp(b, MAGIC, MAGIC_LEN) != 0 ||
        memcmp(b + MAGIC_LEN, h, HASH_LEN) != 0) {
        log_debug("hsdb: damaged path='%s': compiled again", path);
        goto out;
    }
    if (hs_deserialize_database(b + HEADER_LEN,
                                (size_t)st.st_size - HEADER_LEN,
                                &db) != HS_SUCCESS) {
        log_debug("hsdb: not for this Hyperscan path='%s'", path);
        db = NULL;
        goto out;
    }
    (void)futimens(fd, NULL); /* used now: the last to be pruned */
out:
    free(b);
    close(fd);
    return db;
}

/* mkdir -p dir, each new directory private. */
static bool
make_dir(const char *dir)
{
    char *p = xstrdup(dir), *s, c;
    bool ok = true;

    for (s = p + 1; ok; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        c = *s;
        *s = '\0';
        if (mkdir(p, 0700) < 0 && errno != EEXIST)
            ok = false;
        *s = c;
        if (c == '\0')
            break;
    }
    free(p);
    return ok;
}

struct entry {
    char *name;
    struct timespec used;
};

static int
by_use(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;

    if (x->used.tv_sec != y->used.tv_sec)
        return x->used.tv_sec < y->used.tv_sec ? -1 : 1;
    if (x->used.tv_nsec != y->used.tv_nsec)
        return x->used.tv_nsec < y->used.tv_nsec ? -1 : 1;
    return 0;
}

/* Removes the least recently used databases past HSDB_KEEP. */
static void
prune(const char *dir)
{
    struct entry *v = NULL;
    size_t n = 0, cap = 0, i;
    struct dirent *de;
    struct stat st;
    DIR *d = opendir(dir);

    if (d == NULL)
        return;
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);

        if (len < 6 || strncmp(de->d_name, "hs-", 3) != 0 ||
            strcmp(de->d_name + len - 3, ".db") != 0 ||
            fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 32;
            v = xreallocarray(v, cap, sizeof(*v));
        }
        v[n].name = xstrdup(de->d_name);
        v[n].used = st.st_mtim;
        n++;
    }
    if (n > HSDB_KEEP) {
        qsort(v, n, sizeof(*v), by_use);
        for (i = 0; i < n - HSDB_KEEP; i++)
            (void)unlinkat(dirfd(d), v[i].name, 0);
    }
    for (i = 0; i < n; i++)
        free(v[i].name);
    free(v);
    closedir(d);
}

/* Writes all of b[0..n) to fd. */
static bool
write_all(int fd, const char *b, size_t n)
{
    ssize_t k;

    while (n > 0) {
        k = write(fd, b, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return false;
        b += k;
        n -= (size_t)k;
    }
    return true;
}

/* Saves db as path in dir; failures only at debug level. */
static void
save(const hs_database_t *db, const char *dir, const char *path)
{
    char *blob = NULL, *tmp = NULL;
    unsigned char h[HASH_LEN];
    size_t len = 0;
    int fd = -1;
    bool ok;

    if (!make_dir(dir)) {
        log_debug("hsdb: cannot create dir='%s': %s", dir, strerror(errno));
        return;
    }
    if (hs_serialize_database(db, &blob, &len) != HS_SUCCESS) {
        log_debug("hsdb: cannot serialize a database");
        return;
    }
    tmp = xasprintf("%s.XXXXXX", path);
    fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        log_debug("hsdb: cannot write dir='%s': %s", dir, strerror(errno));
        goto out;
    }
    sha256(blob, len, h);
    ok = write_all(fd, MAGIC, MAGIC_LEN) &&
         write_all(fd, (const char *)h, HASH_LEN) &&
         write_all(fd, blob, len);
    if (close(fd) < 0 || !ok || rename(tmp, path) < 0) {
        log_debug("hsdb: cannot write path='%s': %s", path, strerror(errno));
        (void)unlink(tmp);
        goto out;
    }
    prune(dir);
out:
    free(tmp);
    free(blob); /* hs_serialize_database() allocates with malloc() */
}

int
hsdb_compile(const struct hsdb_patterns *p, hs_database_t **db,
             bool *cached, struct buf *err)
{
    hs_compile_error_t *cerr = NULL;
    char key[2 * HASH_LEN + 1], *dir = hsdb_cache_dir(), *path = NULL;
    hs_error_t rc;

    *db = NULL;
    if (cached)
        *cached = false;
    if (dir != NULL) {
        key_of(p, key);
        path = xasprintf("%s/hs-%s.db", dir, key);
        *db = load(path);
        if (*db != NULL) {
            if (cached)
                *cached = true;
            goto out;
        }
    }
    if (p->lens)
        rc = hs_compile_lit_multi(p->exprs, p->flags, p->ids, p->lens, p->n,
                                  HS_MODE_BLOCK, NULL, db, &cerr);
    else
        rc = hs_compile_multi(p->exprs, p->flags, p->ids, p->n,
                              HS_MODE_BLOCK, NULL, db, &cerr);
    if (rc != HS_SUCCESS) {
        buf_addf(err, "%s", cerr && cerr->message ? cerr->message
                                                  : "hyperscan error");
        hs_free_compile_error(cerr);
        *db = NULL;
        free(path);
        free(dir);
        return DRP_EINVAL;
    }
    if (path != NULL)
        save(*db, dir, path);
out:
    free(path);
    free(dir);
    return 0;
}

/* ---- scratch kept per thread ---- */

#define SCRATCH_SLOTS 16

/* A thread's copies: of which prototype, made when the generation was
   what, lent out now or not. A prototype freed bumps the generation, so
   that a later one at the same address never gets a stale copy. */
struct scratch_cache {
    struct {
        hs_scratch_t *proto, *s;
        unsigned long gen;
        bool busy;
    } slot[SCRATCH_SLOTS];
};

static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;
static unsigned long scratch_gen = 1;

static void
scratch_cache_free(void *arg)
{
    struct scratch_cache *c = arg;
    size_t i;

    for (i = 0; i < SCRATCH_SLOTS; i++)
        hs_free_scratch(c->slot[i].s); /* NULL is fine */
    free(c);
}

static void
scratch_key_make(void)
{
    if (pthread_key_create(&scratch_key, scratch_cache_free) != 0)
        abort();
}

static struct scratch_cache *
scratch_cache(void)
{
    struct scratch_cache *c;

    pthread_once(&scratch_once, scratch_key_make);
    c = pthread_getspecific(scratch_key);
    if (c == NULL) {
        c = xcalloc(1, sizeof(*c));
        if (pthread_setspecific(scratch_key, c) != 0)
            abort();
    }
    return c;
}

hs_scratch_t *
hsdb_scratch_take(hs_scratch_t *proto)
{
    struct scratch_cache *c = scratch_cache();
    unsigned long gen = __atomic_load_n(&scratch_gen, __ATOMIC_ACQUIRE);
    hs_scratch_t *s = NULL;
    size_t i, spare = SCRATCH_SLOTS;

    for (i = 0; i < SCRATCH_SLOTS; i++) {
        if (c->slot[i].busy)
            continue;
        if (c->slot[i].s && c->slot[i].proto == proto &&
            c->slot[i].gen == gen) {
            c->slot[i].busy = true;
            return c->slot[i].s;
        }
        /* An empty slot, else one of a stale generation, else any. */
        if (spare == SCRATCH_SLOTS || c->slot[i].s == NULL ||
            (c->slot[spare].s != NULL && c->slot[i].gen != gen))
            spare = i;
    }
    if (hs_clone_scratch(proto, &s) != HS_SUCCESS)
        abort(); /* out of memory */
    if (spare < SCRATCH_SLOTS) {
        hs_free_scratch(c->slot[spare].s);
        c->slot[spare].proto = proto;
        c->slot[spare].s = s;
        c->slot[spare].gen = gen;
        c->slot[spare].busy = true;
    }
    return s;
}

void
hsdb_scratch_give(hs_scratch_t *proto, hs_scratch_t *s)
{
    struct scratch_cache *c = scratch_cache();
    size_t i;

    (void)proto;
    for (i = 0; i < SCRATCH_SLOTS; i++)
        if (c->slot[i].s == s) {
            c->slot[i].busy = false;
            return;
        }
    hs_free_scratch(s); /* a copy the cache had no room for */
}

void
hsdb_scratch_free(hs_scratch_t *proto)
{
    struct scratch_cache *c;
    unsigned long gen;
    size_t i;

    if (proto == NULL)
        return;
    gen = __atomic_add_fetch(&scratch_gen, 1, __ATOMIC_ACQ_REL);
    hs_free_scratch(proto);
    /* This thread's stale copies go now (the last thread to free an
       extractor is often the only one left); others' when reused or when
       their thread ends. */
    c = scratch_cache();
    for (i = 0; i < SCRATCH_SLOTS; i++)
        if (c->slot[i].s && !c->slot[i].busy && c->slot[i].gen != gen) {
            hs_free_scratch(c->slot[i].s);
            c->slot[i].s = NULL;
            c->slot[i].proto = NULL;
        }
}
