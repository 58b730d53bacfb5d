/*
 * extract/hsdb: Hyperscan databases compiled once, kept in a cache
 * directory, loaded again only when whole and for the same patterns.
 */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/xalloc.h"
#include "extract/hsdb.h"
#include "tests/tap.h"

static char dir[] = "/tmp/drpwatch-hsdb-XXXXXX";

static const char *const exprs[] = { "acme", "r[0-9]+d" };
static const unsigned flags[] = { HS_FLAG_CASELESS, 0 };
static const unsigned ids[] = { 1, 2 };

static char name[256];

/* Number of "hs-*.db" files in directory in; name holds the last. */
static size_t
count_in(const char *in)
{
    struct dirent *de;
    size_t n = 0;
    DIR *d = opendir(in);

    if (d == NULL)
        return 0;
    while ((de = readdir(d)) != NULL)
        if (strncmp(de->d_name, "hs-", 3) == 0) {
            n++;
            snprintf(name, sizeof(name), "%s", de->d_name);
        }
    closedir(d);
    return n;
}

static size_t
files(void)
{
    return count_in(dir);
}

static const char *
first_file(const char *in)
{
    return count_in(in) > 0 ? name : "none";
}

static int
on_match(unsigned int id, unsigned long long from, unsigned long long to,
         unsigned int fl, void *arg)
{
    unsigned *seen = arg;

    (void)from;
    (void)to;
    (void)fl;
    *seen |= 1u << id;
    return 0;
}

/* The ids db matches in text. */
static unsigned
matches(const hs_database_t *db, const char *text)
{
    hs_scratch_t *s = NULL;
    unsigned seen = 0;

    if (hs_alloc_scratch(db, &s) != HS_SUCCESS)
        return 0;
    hs_scan(db, text, (unsigned)strlen(text), 0, s, on_match, &seen);
    hs_free_scratch(s);
    return seen;
}

/* Scans with a scratch of the per-thread cache. */
static unsigned
matches_kept(const hs_database_t *db, hs_scratch_t *proto)
{
    hs_scratch_t *s = hsdb_scratch_take(proto);
    unsigned seen = 0;

    hs_scan(db, "ACME r2d", 8, 0, s, on_match, &seen);
    hsdb_scratch_give(proto, s);
    return seen;
}

struct worker {
    const hs_database_t *db;
    hs_scratch_t *proto;
    int bad;
};

static void *
scan_many(void *arg)
{
    struct worker *w = arg;
    int i;

    for (i = 0; i < 2000; i++)
        if (matches_kept(w->db, w->proto) != ((1u << 1) | (1u << 2)))
            w->bad++;
    return NULL;
}

static void
scratch_tests(const hs_database_t *db)
{
    hs_scratch_t *proto = NULL, *proto2 = NULL, *a, *b;
    struct worker w[4];
    pthread_t t[4];
    int i, bad = 0;

    if (hs_alloc_scratch(db, &proto) != HS_SUCCESS ||
        hs_alloc_scratch(db, &proto2) != HS_SUCCESS)
        abort();
    a = hsdb_scratch_take(proto);
    hsdb_scratch_give(proto, a);
    b = hsdb_scratch_take(proto);
    ok(a == b, "a thread's second scan reuses its scratch");
    a = hsdb_scratch_take(proto);
    ok(a != b, "a scratch lent out is not lent twice");
    hsdb_scratch_give(proto, a);
    hsdb_scratch_give(proto, b);
    a = hsdb_scratch_take(proto2);
    ok(a != b, "another prototype gets its own scratch");
    hsdb_scratch_give(proto2, a);
    is(matches_kept(db, proto), (1u << 1) | (1u << 2),
       "a kept scratch scans");
    for (i = 0; i < 4; i++) {
        w[i] = (struct worker){ db, proto, 0 };
        pthread_create(&t[i], NULL, scan_many, &w[i]);
    }
    for (i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        bad += w[i].bad;
    }
    is(bad, 0, "four threads scanning 2,000 times each: every scan right");
    hsdb_scratch_free(proto2);
    hsdb_scratch_free(proto);
    /* A prototype made after one was freed (perhaps at its address)
       never gets the freed one's copies. */
    proto = NULL;
    if (hs_alloc_scratch(db, &proto) != HS_SUCCESS)
        abort();
    is(matches_kept(db, proto), (1u << 1) | (1u << 2),
       "after a prototype is freed, a new one scans");
    hsdb_scratch_free(proto);
    for (i = 0; i < 40; i++) { /* more prototypes than the cache has slots */
        proto = NULL;
        if (hs_alloc_scratch(db, &proto) != HS_SUCCESS)
            abort();
        bad += matches_kept(db, proto) != ((1u << 1) | (1u << 2));
        hsdb_scratch_free(proto);
    }
    is(bad, 0, "40 prototypes in turn, more than the slots: every scan right");
}

static hs_database_t *
compile(const struct hsdb_patterns *p, bool *cached)
{
    struct buf err = BUF_INIT(1024);
    hs_database_t *db = NULL;

    if (hsdb_compile(p, &db, cached, &err) != 0)
        diag("hsdb_compile: %s", buf_str(&err));
    buf_release(&err);
    return db;
}

/* Flips the last byte of path (in the database, past the header). */
static void
damage(const char *path, bool truncate_it)
{
    struct stat st;
    char c;
    int fd = open(path, O_RDWR);

    if (fd < 0 || fstat(fd, &st) < 0)
        return;
    if (truncate_it) {
        if (ftruncate(fd, st.st_size / 2) < 0)
            diag("ftruncate failed");
    } else if (pread(fd, &c, 1, st.st_size - 1) == 1) {
        c = (char)(c ^ 0x5a);
        if (pwrite(fd, &c, 1, st.st_size - 1) != 1)
            diag("pwrite failed");
    }
    close(fd);
}

int
main(void)
{
    struct hsdb_patterns p = { exprs, flags, ids, NULL, 2 };
    struct hsdb_patterns other = { exprs, flags, ids, NULL, 1 };
    const char *bad_exprs[] = { "a(" };
    struct hsdb_patterns bad = { bad_exprs, flags, ids, NULL, 1 };
    size_t lens[] = { 4, 8 };
    struct hsdb_patterns lit = { exprs, flags, ids, lens, 2 };
    struct buf err = BUF_INIT(1024);
    hs_database_t *db;
    char path[8192], sub[4096], *d;
    struct stat st;
    bool cached = true;
    int i;

    if (mkdtemp(dir) == NULL)
        return 1;
    setenv("DRPWATCH_CACHE_DIR", dir, 1);
    d = hsdb_cache_dir();
    is_str(d, dir, "DRPWATCH_CACHE_DIR names the cache directory");
    free(d);

    db = compile(&p, &cached);
    ok(db != NULL && !cached, "first compile: compiled, not cached");
    is(files(), 1, "and saved: one file");
    snprintf(path, sizeof(path), "%s/%s", dir, first_file(dir));
    is(matches(db, "ACME r2d"), (1u << 1) | (1u << 2),
       "the compiled database matches");
    hs_free_database(db);
    memset(&st, 0, sizeof(st));
    i = stat(path, &st);
    ok(i == 0 && (st.st_mode & 077) == 0,
       "the cache file is private (mode %o)", st.st_mode & 0777);

    db = compile(&p, &cached);
    ok(db != NULL && cached, "same patterns again: loaded from the cache");
    is(matches(db, "ACME r2d"), (1u << 1) | (1u << 2),
       "the loaded database matches the same");
    hs_free_database(db);

    db = compile(&other, &cached);
    ok(db != NULL && !cached, "other patterns: compiled");
    is(matches(db, "acme r2d"), 1u << 1, "their database is their own");
    hs_free_database(db);
    is(files(), 2, "and saved beside the first");

    db = compile(&lit, &cached);
    ok(db != NULL && !cached, "the same strings as literals: a new key");
    is(matches(db, "r[0-9]+d"), 1u << 2, "literal matching");
    hs_free_database(db);

    /* A damaged or truncated file is compiled again and replaced: in a
       directory of its own, so that its file is the only one. */
    snprintf(sub, sizeof(sub), "%s/repair", dir);
    setenv("DRPWATCH_CACHE_DIR", sub, 1);
    for (i = 0; i < 2; i++) {
        db = compile(&p, &cached);
        hs_free_database(db);
        snprintf(path, sizeof(path), "%s/%s", sub, first_file(sub));
        damage(path, i == 1);
        db = compile(&p, &cached);
        ok(db != NULL && !cached, "a %s file is compiled again",
           i == 1 ? "truncated" : "damaged");
        is(matches(db, "ACME r2d"), (1u << 1) | (1u << 2),
           "and matches as it should");
        hs_free_database(db);
        db = compile(&p, &cached);
        ok(db != NULL && cached, "and replaced: cached again");
        hs_free_database(db);
    }
    setenv("DRPWATCH_CACHE_DIR", dir, 1);

    /* Refused patterns: an error with Hyperscan's message, no file. */
    db = (hs_database_t *)1;
    is(hsdb_compile(&bad, &db, NULL, &err), DRP_EINVAL,
       "a pattern Hyperscan refuses is an error");
    ok(db == NULL && err.len > 0, "with its message: %s", buf_str(&err));
    buf_release(&err);
    is(files(), 3, "and nothing saved for it");

    /* Off: nothing read or written. */
    setenv("DRPWATCH_CACHE_DIR", "off", 1);
    ok(hsdb_cache_dir() == NULL, "DRPWATCH_CACHE_DIR=off: no cache");
    db = compile(&p, &cached);
    ok(db != NULL && !cached, "off: compiled every time");
    hs_free_database(db);

    /* At most HSDB_KEEP files. */
    setenv("DRPWATCH_CACHE_DIR", dir, 1);
    for (i = 0; i < HSDB_KEEP + 4; i++) {
        char e[32];
        const char *one[] = { e };
        struct hsdb_patterns q = { one, flags, ids, NULL, 1 };

        snprintf(e, sizeof(e), "word%d", i);
        db = compile(&q, &cached);
        hs_free_database(db);
    }
    is(files(), HSDB_KEEP, "the cache keeps %d databases",
       HSDB_KEEP);

    /* A cache that cannot be written: compiled, no error. */
    setenv("DRPWATCH_CACHE_DIR", "/proc/drpwatch-no-such-dir", 1);
    db = compile(&p, &cached);
    ok(db != NULL && !cached, "an unwritable cache directory: compiled");

    scratch_tests(db);
    hs_free_database(db);
    {
        char cmd[4200];

        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            diag("could not remove %s", dir);
    }
    return done_testing();
}
