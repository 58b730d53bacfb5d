/*
 * STIX 2.1 bundles of drpwatch's indicators: for each exportable finding an
 * indicator with its STIX pattern, the matching cyber-observable and the
 * relationship between them, and a sighting per source that saw it; an
 * identity for drpwatch and one per source, and the TLP marking
 * definitions used. Pure: the caller reads the findings and writes the
 * bundle. Credentials are never exported; known-benign values and owned
 * assets are left out by the caller's query (see stix_kinds).
 *
 * Identifiers are deterministic UUIDv5s: indicators, relationships and
 * sightings over the normalised value in drpwatch's namespace, observables
 * by the specification's rule (its namespace, over the canonical JSON of
 * their ID-contributing properties), so exporting again updates objects
 * instead of duplicating them; `modified` moves with the finding's last
 * sighting.
 */
#ifndef DRP_STIX_H
#define DRP_STIX_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <jansson.h>

/* Where and when a finding was seen. */
struct stix_sighting {
    const char *source; /* source name */
    time_t first_seen, last_seen;
    int count;
};

struct stix_item {
    const char *kind;   /* a finding kind (extract/extract.h names) */
    const char *value;  /* normalised */
    int confidence;     /* 0-100 */
    const char *tlp;    /* clear (or white), green, amber, red */
    time_t first_seen, last_seen;
    const struct stix_sighting *sightings;
    size_t nsightings;
};

/* The finding kinds that become indicators, NULL-terminated. */
extern const char *const stix_kinds[];

/* Days an indicator of kind stays valid after its last sighting. */
int stix_ttl_days(const char *kind);

/*
 * The bundle of items (caller json_decref()s). Items of a kind outside
 * stix_kinds are skipped. The bundle's own id is random (a bundle is a
 * transport, not an object).
 */
json_t *stix_bundle(const struct stix_item *items, size_t n);

/*
 * The rows of store_export_findings() (kind, value, confidence, tlp,
 * first_seen, last_seen, sightings) as items, borrowing rows' strings; the
 * sightings are allocated in *sg. The caller frees both (and keeps rows
 * until then). Rows without a kind come out with kind NULL.
 */
struct stix_item *stix_items_of(json_t *rows, struct stix_sighting **sg);

/*
 * For a collection served piece by piece (the TAXII server): the objects
 * of one item appended to objs (indicator, observable, relationship and
 * its sightings, with the ids stix_bundle() gives them; nothing for a kind
 * outside stix_kinds); the identity of a source; and the objects every
 * collection shares (drpwatch's identity and the TLP marking definitions).
 */
void stix_item_objects(const struct stix_item *it, json_t *objs);
json_t *stix_source_identity(const char *name);
json_t *stix_shared_objects(void);

/*
 * The ids stix_item_objects() gives a finding's objects (so that the TAXII
 * server can find an object by its id): its indicator, its observable and
 * their relationship; false (and nothing written) for a kind outside
 * stix_kinds. A sighting's id follows from its indicator's and the source;
 * a source's identity from its name.
 */
#define STIX_ID_MAX 80
bool stix_finding_ids(const char *kind, const char *value,
                      char ind[STIX_ID_MAX], char sco[STIX_ID_MAX],
                      char rel[STIX_ID_MAX]);
void stix_sighting_id(const char *ind, const char *source,
                      char out[STIX_ID_MAX]);
void stix_source_id(const char *name, char out[STIX_ID_MAX]);

/* A UUIDv5 of name[0..n) in namespace ns, as 36 characters and a NUL. */
void stix_uuid5(const unsigned char ns[16], const char *name, size_t n,
                char out[37]);

#endif
