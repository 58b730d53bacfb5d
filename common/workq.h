/*
 * A work queue: a few threads take items in the order they were pushed,
 * run one function on each, and hand them back finished. The owner
 * pushes and takes back from one thread; items are the owner's (the queue
 * never frees or looks into them). The owner bounds the queue: it counts
 * what it pushed and has not taken back (workq_count()).
 */
#ifndef DRP_WORKQ_H
#define DRP_WORKQ_H

#include <stddef.h>

struct workq;

/* Runs item on worker w (0 .. nworkers - 1); arg is workq_new()'s. */
typedef void workq_fn(void *arg, int w, void *item);

/* Called on a worker's thread each time an item is finished (to wake an
   owner that waits on something else, e.g. its sockets). May be NULL. */
typedef void workq_notify_fn(void *arg);

/*
 * Starts nworkers threads (at least 1). They block every signal: signals
 * go to the owner's threads. Aborts when threads cannot be made.
 */
struct workq *workq_new(int nworkers, workq_fn *fn, workq_notify_fn *notify,
                        void *arg);

/* Queues item for the workers; never blocks. */
void workq_push(struct workq *q, void *item);

/* A finished item (in the order they finished), or NULL when none is. */
void *workq_done(struct workq *q);

/*
 * Waits for a finished item and returns it; NULL at once when nothing is
 * queued, running or finished.
 */
void *workq_wait(struct workq *q);

/* Items pushed and not yet taken back (queued, running or finished). */
size_t workq_count(struct workq *q);

/*
 * Stops the threads and frees the queue. Every item must have been taken
 * back (workq_count() is 0). NULL is a no-op.
 */
void workq_free(struct workq *q);

#endif
