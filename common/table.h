/*
 * Plain-text tables for terminals: columns sized to their content, cells
 * cut (with "...") at a per-column maximum, control characters shown as
 * spaces so that no cell can move the cursor.
 */
#ifndef DRP_TABLE_H
#define DRP_TABLE_H

#include <stddef.h>
#include <stdio.h>

struct table;

/* ncols column headings; max_width[i] caps column i (0: no cap). */
struct table *table_new(size_t ncols, const char *const *headings,
                        const int *max_width);
/* Adds a row of ncols cells (copied; NULL prints as "-"). */
void table_add(struct table *t, const char *const *cells);
void table_print(const struct table *t, FILE *out);
/* table_print(), then "N nouns" (noun + "s" unless N is 1). */
void table_print_count(const struct table *t, FILE *out, size_t n,
                       const char *noun);
void table_free(struct table *t);

#endif
