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

#endif
