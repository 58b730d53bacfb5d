/*
 * The health of every source, for `drpwatch status`: last success, last
 * error, what it has yielded and what its frontier holds. Read only.
 */
#ifndef DRP_STATUS_H
#define DRP_STATUS_H

#include <jansson.h>

#include "common/buf.h"

struct db;

/*
 * One object per source, by name: name, kind, enabled, tor (bool),
 * last_success, last_error, last_error_at (UTC, ISO 8601, or null), pages
 * (documents stored), findings (distinct findings sighted there), due,
 * leased (jobs), next_due (earliest due time of a job not leased, or
 * null), healthy (no error since the last success). NULL with err set
 * when the database fails.
 */
json_t *store_source_status(struct db *db, struct buf *err);

#endif
