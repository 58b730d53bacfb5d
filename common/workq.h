/*
 * A work queue: a few threads take items in the order they were pushed,
 * run one function on each, and hand them back finished. The owner
 * pushes and takes back from one thread; items are the owner's (the queue
 * never frees or looks into them). The owner bounds the queue: it counts
 * what it pushed and has not taken back (workq_count()).
 */
#ifndef DRP_WORKQ_H
#define DRP_WORKQ_H

#include <stdbool.h>
#include <stddef.h>

struct workq;

/*
 * Runs item on worker w (0 .. nworkers - 1); arg is workq_new()'s.
 * Returns true when item is finished; false when worker w keeps it, to
 * hand it back later with workq_finish() (items kept to be written to a
 * database together, for instance): the queue then calls idle (when not
 * NULL) on that worker whenever nothing is queued.
 */
typedef bool workq_fn(void *arg, int w, void *item);

/*
 * Called on worker w, outside the queue's lock, when nothing is queued
 * and w keeps items. Returns 0 once w finished them all (workq_finish()),
 * or the milliseconds to wait for a new item before it is called again.
 * now: the owner waits for every item (workq_wait()): w must finish them
 * all now.
 */
typedef int workq_idle_fn(void *arg, int w, bool now);

/* Called on a worker's thread each time an item is finished or kept (to
   wake an owner that waits on something else, e.g. its sockets, and
   counts the items not yet kept or finished). May be NULL. */
typedef void workq_notify_fn(void *arg);

/*
 * Starts nworkers threads (at least 1). They block every signal: signals
 * go to the owner's threads. Aborts when threads cannot be made.
 */
struct workq *workq_new(int nworkers, workq_fn *fn, workq_idle_fn *idle,
                        workq_notify_fn *notify, void *arg);

/* On worker w's thread: an item it kept (its workq_fn returned false, or
   is about to) is finished. */
void workq_finish(struct workq *q, int w, void *item);

/* Items the workers keep (finished running, not yet handed back). */
size_t workq_kept(struct workq *q);

/* Queues item for the workers; never blocks. */
void workq_push(struct workq *q, void *item);

/* A finished item (in the order they finished), or NULL when none is. */
void *workq_done(struct workq *q);

/*
 * Waits for a finished item and returns it; NULL at once when nothing is
 * queued, running, kept or finished.
 */
void *workq_wait(struct workq *q);

/* Items pushed and not yet taken back (queued, running, kept or
   finished). */
size_t workq_count(struct workq *q);

/*
 * Stops the threads and frees the queue. Every item must have been taken
 * back (workq_count() is 0). NULL is a no-op.
 */
void workq_free(struct workq *q);

#endif
