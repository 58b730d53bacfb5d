/*
 * Hyperscan databases compiled once and kept. Compiling the prefilter and
 * a thousand watch terms takes Hyperscan some 0.15 s, more than scanning a
 * few megabytes; hsdb_compile() hashes what it is asked to compile (the
 * patterns, their flags and ids, Hyperscan's version and this CPU's
 * platform) and loads the database it compiled for that hash before, from
 * the cache directory; otherwise it compiles and saves it there.
 *
 * The cache only saves time: a file that is unreadable, not the user's
 * own, damaged (its SHA-256 is checked) or from another Hyperscan is
 * compiled again and replaced; a directory that cannot be written is noted
 * at debug level. At most HSDB_KEEP databases are kept, the least recently
 * used removed first.
 *
 * Directory: DRPWATCH_CACHE_DIR ("off": no cache), else
 * $XDG_CACHE_HOME/drpwatch, else ~/.cache/drpwatch; /var/cache/drpwatch
 * for root.
 */
#ifndef DRP_HSDB_H
#define DRP_HSDB_H

#include <stdbool.h>
#include <stddef.h>

#include <hs.h>

#include "common/buf.h"

#define HSDB_KEEP 16
#define HSDB_MAX_FILE (256u << 20) /* larger cache files are ignored */

/* What to compile, in block mode. lens NULL: exprs are regular
   expressions (hs_compile_multi); else literals of those lengths
   (hs_compile_lit_multi). */
struct hsdb_patterns {
    const char *const *exprs;
    const unsigned *flags;
    const unsigned *ids;
    const size_t *lens;
    unsigned n;
};

/*
 * Sets *db to the database of p (the caller frees it with
 * hs_free_database()) and returns 0, with *cached (may be NULL) true when
 * it came from the cache. DRP_EINVAL when Hyperscan refuses the patterns,
 * with its message in err.
 */
int hsdb_compile(const struct hsdb_patterns *p, hs_database_t **db,
                 bool *cached, struct buf *err);

/* The cache directory in use (caller frees), or NULL when it is off. */
char *hsdb_cache_dir(void);

/*
 * Scratch space for a scan, cloned from a prototype (hs_alloc_scratch()'s)
 * and kept for the calling thread: the first scan of a thread clones it,
 * later ones reuse it (a clone costs a malloc and a copy of the whole
 * scratch on every page). hsdb_scratch_take() aborts when out of memory,
 * as a failed clone did; give it back with hsdb_scratch_give().
 * hsdb_scratch_free() frees a prototype and forgets every thread's copies
 * of it (and of any other freed prototype); a thread's copies go when it
 * ends.
 */
hs_scratch_t *hsdb_scratch_take(hs_scratch_t *proto);
void hsdb_scratch_give(hs_scratch_t *proto, hs_scratch_t *s);
void hsdb_scratch_free(hs_scratch_t *proto);

#endif
