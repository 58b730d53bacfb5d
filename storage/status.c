/*
 * Source health for the operator: one query over sources, documents,
 * sightings and jobs. Writes nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "storage/internal.h"
#include "storage/status.h"
#include "common/banned.h"

json_t *
store_source_status(struct db *db, struct buf *err)
{
    static const char *cols[] = { "name", "kind", "enabled", "tor",
                                  "last_success", "last_error",
                                  "last_error_at", "pages", "findings",
                                  "due", "leased", "next_due", "healthy" };
    PGresult *r;

    r = db_query(db,
                 "SELECT s.name, s.kind, s.enabled, "
                 "  s.tor OR s.url ~* '^[a-z]+://[^/]*\\.onion(:[0-9]+)?(/|$)', "
                 "  " DB_ISO("s.last_success") ", s.last_error, "
                 "  " DB_ISO("s.last_error_at") ", "
                 "  (SELECT count(*) FROM documents d "
                 "   WHERE d.source_id = s.id), "
                 "  (SELECT count(DISTINCT g.finding_id) FROM sightings g "
                 "   WHERE g.source_id = s.id), "
                 "  (SELECT count(*) FROM jobs j WHERE j.source_id = s.id "
                 "   AND j.due_at <= now() AND (j.lease_expires IS NULL "
                 "   OR j.lease_expires < now())), "
                 "  (SELECT count(*) FROM jobs j WHERE j.source_id = s.id "
                 "   AND j.lease_expires >= now()), "
                 "  (SELECT " DB_ISO("min(j.due_at)") " FROM jobs j "
                 "   WHERE j.source_id = s.id AND (j.lease_expires IS NULL "
                 "   OR j.lease_expires < now())), "
                 "  s.last_error_at IS NULL OR (s.last_success IS NOT NULL "
                 "   AND s.last_success >= s.last_error_at) "
                 "FROM sources s ORDER BY s.name",
                 0, NULL, err);
    if (r == NULL)
        return NULL;
    return db_rows_json(r, cols);
}
