/*
 * The work queue (workq.h): a FIFO of items to run and a FIFO of finished
 * ones under one mutex, with a condition for each; items a worker keeps
 * are only counted (the worker holds them). No item is ever
 * dropped or run twice; the threads stop only when told to by
 * workq_free(), after the owner took every item back.
 */
#include <assert.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "common/workq.h"
#include "common/xalloc.h"
#include "common/banned.h"

/* A FIFO of pointers in a ring that doubles when full. */
struct ring {
    void **v;
    size_t head, n, cap; /* cap is 0 or a power of two */
};

struct worker {
    struct workq *q;
    int index;
    long kept; /* its items kept (may be -1 for a moment: an item
                  finished by the workq_fn that keeps it) */
    pthread_t thread;
};

struct workq {
    pthread_mutex_t lock;
    pthread_cond_t queued;   /* an item to run, or stopping */
    pthread_cond_t finished; /* an item finished */
    struct ring todo, done;
    size_t count;   /* pushed and not taken back */
    size_t running; /* taken by a worker, not finished */
    long kept;      /* kept by the workers (struct worker's, summed) */
    int waiting;    /* the owner waits in workq_wait() */
    bool stopping;
    workq_fn *fn;
    workq_idle_fn *idle;
    workq_notify_fn *notify;
    void *arg;
    struct worker *workers;
    int nworkers;
};

static void
ring_push(struct ring *r, void *item)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 16, i;
        void **v = xcalloc(cap, sizeof(*v));

        for (i = 0; i < r->n; i++)
            v[i] = r->v[(r->head + i) & (r->cap - 1)];
        free(r->v);
        r->v = v;
        r->cap = cap;
        r->head = 0;
    }
    r->v[(r->head + r->n) & (r->cap - 1)] = item;
    r->n++;
}

static void *
ring_pop(struct ring *r)
{
    void *item;

    if (r->n == 0)
        return NULL;
    item = r->v[r->head];
    r->head = (r->head + 1) & (r->cap - 1);
    r->n--;
    return item;
}

/* Tells the owner (q->notify) that an item was finished or kept.
   Called with the lock held; returns with it held. */
static void
tell_owner(struct workq *q)
{
    if (q->notify) {
        pthread_mutex_unlock(&q->lock);
        q->notify(q->arg);
        pthread_mutex_lock(&q->lock);
    }
}

/* item finished: to the owner. Called with the lock held; returns with
   it held. */
static void
finished(struct workq *q, void *item)
{
    ring_push(&q->done, item);
    pthread_cond_broadcast(&q->finished);
    tell_owner(q);
}

/* Waits on q->queued for ms at most (the lock held). */
static void
wait_ms(struct workq *q, int ms)
{
    struct timespec t;

    clock_gettime(CLOCK_REALTIME, &t);
    t.tv_sec += ms / 1000;
    t.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&q->queued, &q->lock, &t);
}

static void *
work(void *p)
{
    struct worker *w = p;
    struct workq *q = w->q;

    pthread_mutex_lock(&q->lock);
    for (;;) {
        void *item;
        bool done;

        while (q->todo.n == 0 && !q->stopping) {
            if (w->kept > 0 && q->idle) {
                /* Nothing else to do: what it keeps goes now, or after
                   a while without new items. */
                bool now = q->waiting > 0;
                int ms;

                pthread_mutex_unlock(&q->lock);
                ms = q->idle(q->arg, w->index, now);
                pthread_mutex_lock(&q->lock);
                assert(ms > 0 ? !now : w->kept == 0);
                if (ms > 0 && q->todo.n == 0 && q->waiting == 0)
                    wait_ms(q, ms);
                continue;
            }
            pthread_cond_wait(&q->queued, &q->lock);
        }
        if (q->todo.n == 0)
            break; /* stopping, and nothing is left */
        item = ring_pop(&q->todo);
        q->running++;
        pthread_mutex_unlock(&q->lock);
        done = q->fn(q->arg, w->index, item);
        pthread_mutex_lock(&q->lock);
        q->running--;
        if (done) {
            finished(q, item);
        } else {
            w->kept++;
            q->kept++;
            /* running went down, and kept may be back to 0 (fn can
               finish what it kept, this item among them, before it says
               it keeps it): workq_wait() may be waiting for either. */
            pthread_cond_broadcast(&q->finished);
            tell_owner(q); /* what the owner counts as busy went down */
        }
    }
    pthread_mutex_unlock(&q->lock);
    return NULL;
}

void
workq_finish(struct workq *q, int w, void *item)
{
    pthread_mutex_lock(&q->lock);
    q->workers[w].kept--;
    q->kept--;
    finished(q, item);
    pthread_mutex_unlock(&q->lock);
}

size_t
workq_kept(struct workq *q)
{
    long n;

    pthread_mutex_lock(&q->lock);
    n = q->kept;
    pthread_mutex_unlock(&q->lock);
    return n > 0 ? (size_t)n : 0;
}

struct workq *
workq_new(int nworkers, workq_fn *fn, workq_idle_fn *idle,
          workq_notify_fn *notify, void *arg)
{
    struct workq *q = xcalloc(1, sizeof(*q));
    sigset_t all, old;
    int i;

    if (nworkers < 1)
        nworkers = 1;
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->queued, NULL);
    pthread_cond_init(&q->finished, NULL);
    q->fn = fn;
    q->idle = idle;
    q->notify = notify;
    q->arg = arg;
    q->nworkers = nworkers;
    q->workers = xcalloc((size_t)nworkers, sizeof(*q->workers));
    /* The threads inherit a mask that blocks every signal. */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    for (i = 0; i < nworkers; i++) {
        q->workers[i].q = q;
        q->workers[i].index = i;
        if (pthread_create(&q->workers[i].thread, NULL, work,
                           &q->workers[i]) != 0)
            abort();
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return q;
}

void
workq_push(struct workq *q, void *item)
{
    pthread_mutex_lock(&q->lock);
    ring_push(&q->todo, item);
    q->count++;
    pthread_cond_signal(&q->queued);
    pthread_mutex_unlock(&q->lock);
}

void *
workq_done(struct workq *q)
{
    void *item;

    pthread_mutex_lock(&q->lock);
    item = ring_pop(&q->done);
    if (item)
        q->count--;
    pthread_mutex_unlock(&q->lock);
    return item;
}

void *
workq_wait(struct workq *q)
{
    void *item;

    pthread_mutex_lock(&q->lock);
    q->waiting++;
    if (q->kept > 0)
        pthread_cond_broadcast(&q->queued); /* what they keep goes now */
    while (q->done.n == 0 &&
           (q->todo.n > 0 || q->running > 0 || q->kept != 0))
        pthread_cond_wait(&q->finished, &q->lock);
    q->waiting--;
    item = ring_pop(&q->done);
    if (item)
        q->count--;
    pthread_mutex_unlock(&q->lock);
    return item;
}

size_t
workq_count(struct workq *q)
{
    size_t n;

    pthread_mutex_lock(&q->lock);
    n = q->count;
    pthread_mutex_unlock(&q->lock);
    return n;
}

void
workq_free(struct workq *q)
{
    int i;

    if (q == NULL)
        return;
    pthread_mutex_lock(&q->lock);
    assert(q->count == 0);
    q->stopping = true;
    pthread_cond_broadcast(&q->queued);
    pthread_mutex_unlock(&q->lock);
    for (i = 0; i < q->nworkers; i++)
        pthread_join(q->workers[i].thread, NULL);
    free(q->todo.v);
    free(q->done.v);
    free(q->workers);
    pthread_cond_destroy(&q->queued);
    pthread_cond_destroy(&q->finished);
    pthread_mutex_destroy(&q->lock);
    free(q);
}
