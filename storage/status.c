/*
 * Source health for the operator: one query over sources, documents,
 * sightings and jobs. Writes nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "storage/internal.h"
#include "storage/status.h"
#include "common/banned.h"

#define ISO(col) "to_char(" col " AT TIME ZONE 'UTC', " \
                 "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

json_t *
store_source_status(struct db *db, struct buf *err)
{
    static const char *cols[] = { "name", "kind", "enabled", "tor",
                                  "last_success", "last_error",
                                  "last_error_at", "pages", "findings",
                                  "due", "leased", "next_due", "healthy" };
    PGresult *r;
    json_t *arr;
    int i, j, rows;

    r = db_query(db,
                 "SELECT s.name, s.kind, s.enabled, "
                 "  s.tor OR s.url ~* '^[a-z]+://[^/]*\\.onion(:[0-9]+)?(/|$)', "
                 "  " ISO("s.last_success") ", s.last_error, "
                 "  " ISO("s.last_error_at") ", "
                 "  (SELECT count(*) FROM documents d "
                 "   WHERE d.source_id = s.id), "
                 "  (SELECT count(DISTINCT g.finding_id) FROM sightings g "
                 "   WHERE g.source_id = s.id), "
                 "  (SELECT count(*) FROM jobs j WHERE j.source_id = s.id "
                 "   AND j.due_at <= now() AND (j.lease_expires IS NULL "
                 "   OR j.lease_expires < now())), "
                 "  (SELECT count(*) FROM jobs j WHERE j.source_id = s.id "
                 "   AND j.lease_expires >= now()), "
                 "  (SELECT " ISO("min(j.due_at)") " FROM jobs j "
                 "   WHERE j.source_id = s.id AND (j.lease_expires IS NULL "
                 "   OR j.lease_expires < now())), "
                 "  s.last_error_at IS NULL OR (s.last_success IS NOT NULL "
                 "   AND s.last_success >= s.last_error_at) "
                 "FROM sources s ORDER BY s.name",
                 0, NULL, err);
    if (r == NULL)
        return NULL;
    arr = json_array();
    rows = PQntuples(r);
    for (i = 0; i < rows; i++) {
        json_t *o = json_object();

        for (j = 0; j < (int)(sizeof(cols) / sizeof(cols[0])); j++) {
            const char *v = PQgetvalue(r, i, j);
            json_t *jv;

            if (PQgetisnull(r, i, j))
                jv = json_null();
            else if (j == 2 || j == 3 || j == 12)
                jv = json_boolean(v[0] == 't');
            else if (j >= 7 && j <= 10)
                jv = json_integer(strtoll(v, NULL, 10));
            else
                jv = json_string(v);
            if (jv == NULL) /* not UTF-8 */
                jv = json_null();
            json_object_set_new(o, cols[j], jv);
        }
        json_array_append_new(arr, o);
    }
    PQclear(r);
    return arr;
}
