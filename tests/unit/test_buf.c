/*
 * common/: the capped buffer, spans, error texts, log levels, tables, the
 * work queue, the key set.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/keyset.h"
#include "common/log.h"
#include "common/table.h"
#include "common/workq.h"
#include "tests/tap.h"

static void
test_buf(void)
{
    struct buf b = BUF_INIT(10);
    char *p;
    size_t n;

    is_str(buf_str(&b), "", "empty buffer reads as an empty string");
    is(buf_adds(&b, "hello"), 0, "append within the cap");
    is(buf_add(&b, "\0x", 2), 0, "append bytes with a NUL");
    is(b.len, 7, "length counts the NUL byte");
    is(buf_adds(&b, "long"), DRP_ETOOBIG, "append past the cap fails");
    is(b.len, 7, "a failed append changes nothing");
    is(memcmp(b.ptr, "hello\0x", 7), 0, "contents intact after failure");
    is(buf_addf(&b, "%d", 123), 0, "formatted append fits exactly");
    is(b.len, 10, "buffer is at its cap");
    is(buf_addc(&b, 'z'), DRP_ETOOBIG, "one more byte fails");
    buf_reset(&b);
    is(b.len, 0, "reset empties");
    is(buf_addf(&b, "%s", "0123456789A"), DRP_ETOOBIG,
       "formatted append past the cap fails");
    is(b.len, 0, "and leaves the buffer empty");
    buf_adds(&b, "abc");
    p = buf_detach(&b, &n);
    is_str(p, "abc", "detach hands over the string");
    is(n, 3, "detach reports the length");
    ok(b.ptr == NULL && b.len == 0, "detached buffer is empty");
    free(p);
    buf_release(&b);
}

static void
test_span(void)
{
    struct span s = { "Content-Type", 12 };

    ok(span_eq(s, "Content-Type"), "span equals its literal");
    ok(!span_eq(s, "content-type"), "span_eq is case-sensitive");
    ok(span_ieq(s, "content-type"), "span_ieq ignores case");
    ok(!span_ieq(s, "content"), "span_ieq checks length");
    {
        static const char *const list[] = { "Content", "Content-Type",
                                            "type" };
        struct span part = { "Content-Type", 7 }, none = { "", 0 };

        ok(SPAN_IN(s, list), "span_in: the span is in the list");
        ok(SPAN_IN(part, list), "span_in: its first 7 bytes are too");
        ok(!SPAN_IN(((struct span){ "Type", 4 }), list),
           "span_in is case-sensitive");
        ok(!SPAN_IN(((struct span){ "Content-", 8 }), list),
           "span_in: a prefix of an item is not in the list");
        ok(!SPAN_IN(none, list), "span_in: the empty span is in no list");
    }
}

static void
test_misc(void)
{
    enum log_level lvl;

    is_str(drp_strerror(DRP_ETOOBIG), "size limit exceeded",
           "error text for DRP_ETOOBIG");
    is_str(drp_strerror(12345), "unknown error", "unknown code has a text");
    is(log_parse_level("warn", &lvl), 0, "parse log level warn");
    is(lvl, LOG_WARN, "warn maps to LOG_WARN");
    is(log_parse_level("loud", &lvl), DRP_EINVAL, "unknown level refused");
}

static void
test_table(void)
{
    static const char *head[] = { "ID", "TITLE" };
    static const int max[] = { 0, 8 };
    struct table *t = table_new(2, head, max);
    const char *row1[] = { "1", "short" };
    const char *row2[] = { "22", "a title far too long\x1b[2J" };
    char out[512] = { 0 };
    FILE *f = fmemopen(out, sizeof(out) - 1, "w");

    table_add(t, row1);
    table_add(t, row2);
    table_print(t, f);
    fclose(f);
    is_str(out, "ID  TITLE\n1   short\n22  a tit...\n",
           "table aligns columns and cuts long cells");
    ok(strchr(out, '\x1b') == NULL, "no escape byte reaches the terminal");
    table_free(t);
}

/* Each item is an int: the work doubles it and notes the worker. */
struct workq_test {
    int seen[4];
    int notified;
};

static bool
double_it(void *arg, int w, void *item)
{
    struct workq_test *t = arg;

    *(int *)item *= 2;
    __atomic_add_fetch(&t->seen[w & 3], 1, __ATOMIC_RELAXED);
    return true;
}

/* Items kept by their worker, four at most, handed back together (as a
   worker keeps pages to store them in one transaction). */
struct workq_keep {
    struct workq *q;
    int *kept[2][4];
    int nkept[2];
    int idle_calls;
    int idle_waits[2];
    int idle_now;   /* calls told to hand back at once */
    int patient;    /* idle waits unless told to hand back */
    int max_kept; /* workq_kept() seen at most by the workers */
    int notified; /* workq_notify_fn calls */
};

static void
keep_notify(void *arg)
{
    struct workq_keep *k = arg;

    __atomic_add_fetch(&k->notified, 1, __ATOMIC_RELAXED);
}

static void
keep_flush(void *arg, int w)
{
    struct workq_keep *k = arg;
    int i;

    for (i = 0; i < k->nkept[w]; i++) {
        *k->kept[w][i] += 1000;
        workq_finish(k->q, w, k->kept[w][i]);
    }
    k->nkept[w] = 0;
}

static bool
keep_it(void *arg, int w, void *item)
{
    struct workq_keep *k = arg;
    int n;

    k->kept[w][k->nkept[w]++] = item;
    if (k->nkept[w] == 4) {
        keep_flush(k, w); /* the item is finished before it is kept */
        return false;
    }
    n = (int)workq_kept(k->q);
    if (n > __atomic_load_n(&k->max_kept, __ATOMIC_RELAXED))
        __atomic_store_n(&k->max_kept, n, __ATOMIC_RELAXED);
    return false;
}

/* Idle: hands back what it keeps at once when the owner waits; else,
   patient, waits; else waits twice for more (5 ms each) first. */
static int
keep_idle(void *arg, int w, bool now)
{
    struct workq_keep *k = arg;

    __atomic_add_fetch(&k->idle_calls, 1, __ATOMIC_RELAXED);
    if (now) {
        __atomic_add_fetch(&k->idle_now, 1, __ATOMIC_RELAXED);
    } else if (__atomic_load_n(&k->patient, __ATOMIC_RELAXED)) {
        return 1000;
    } else if (++k->idle_waits[w] % 3 != 0) {
        return 5;
    }
    keep_flush(k, w);
    return 0;
}

static void
test_workq_keep(void)
{
    struct workq_keep k = { 0 };
    int items[50], i, sum = 0, got = 0, *p;

    k.q = workq_new(2, keep_it, keep_idle, keep_notify, &k);
    for (i = 0; i < 50; i++) {
        items[i] = i;
        workq_push(k.q, &items[i]);
    }
    while ((p = workq_wait(k.q)) != NULL) {
        sum += *p;
        got++;
    }
    is(got, 50, "every kept item comes back once");
    is(sum, 49 * 50 / 2 + 50 * 1000, "each was finished once");
    is(workq_count(k.q), 0, "none is left");
    is(workq_kept(k.q), 0, "none is kept");
    ok(k.idle_calls >= 1, "an idle worker hands back what it keeps");
    ok(k.max_kept <= 2 * 3, "a worker keeps at most what it chose to");
    __atomic_store_n(&k.patient, 1, __ATOMIC_RELAXED);
    __atomic_store_n(&k.idle_now, 0, __ATOMIC_RELAXED);
    items[0] = 7;
    __atomic_store_n(&k.notified, 0, __ATOMIC_RELAXED);
    workq_push(k.q, &items[0]);
    while (workq_kept(k.q) == 0)
        ;
    /* The owner counts what is queued and not kept (the crawl's free
       slots): it is told when an item is kept, not only when one is
       finished, or it would wait for the patient worker's batch. */
    for (i = 0; i < 2000 && __atomic_load_n(&k.notified, __ATOMIC_RELAXED) == 0;
         i++) {
        struct timespec ms = { 0, 1000000L };

        nanosleep(&ms, NULL);
    }
    ok(__atomic_load_n(&k.notified, __ATOMIC_RELAXED) >= 1,
       "the owner is told when an item is kept");
    p = workq_wait(k.q);
    ok(p == &items[0] && *p == 1007,
       "a single kept item comes back once the owner waits for it");
    ok(__atomic_load_n(&k.idle_now, __ATOMIC_RELAXED) >= 1,
       "the worker was told to hand it back now");
    __atomic_store_n(&k.patient, 0, __ATOMIC_RELAXED);
    items[1] = 8;
    workq_push(k.q, &items[1]);
    while ((p = workq_done(k.q)) == NULL)
        ;
    ok(p == &items[1] && *p == 1008,
       "or after it waited in vain for more");
    workq_free(k.q);
}

/* A worker that finishes its item itself and only then says it keeps it
   (cmd_run's work_page() flushing a batch with the current page in it),
   after the owner took the item back and waits again. */
struct workq_late {
    struct workq *q;
    int taken; /* the owner took the item back */
};

static bool
finish_then_keep(void *arg, int w, void *item)
{
    struct workq_late *l = arg;
    struct timespec ms = { 0, 1000000L };
    int i;

    workq_finish(l->q, w, item);
    while (!__atomic_load_n(&l->taken, __ATOMIC_ACQUIRE))
        nanosleep(&ms, NULL);
    for (i = 0; i < 30; i++) /* the owner is in workq_wait() by now */
        nanosleep(&ms, NULL);
    return false;
}

static int
no_idle(void *arg, int w, bool now)
{
    return 0;
}

static void
test_workq_late_keep(void)
{
    struct workq_late l = { 0 };
    int item = 1;

    /* A hang here is the bug: the test fails by SIGALRM instead. */
    alarm(20);
    l.q = workq_new(1, finish_then_keep, no_idle, NULL, &l);
    workq_push(l.q, &item);
    ok(workq_wait(l.q) == &item, "an item its worker finished comes back");
    __atomic_store_n(&l.taken, 1, __ATOMIC_RELEASE);
    ok(workq_wait(l.q) == NULL,
       "and the owner's next wait ends when the worker then keeps it");
    is(workq_count(l.q), 0, "nothing is left");
    workq_free(l.q);
    alarm(0);
}

static void
count_notify(void *arg)
{
    struct workq_test *t = arg;

    __atomic_add_fetch(&t->notified, 1, __ATOMIC_RELAXED);
}

static void
test_workq(void)
{
    struct workq_test t = { { 0 }, 0 };
    struct workq *q = workq_new(3, double_it, NULL, count_notify, &t);
    int items[200], i, sum = 0, got = 0, *p;

    ok(workq_wait(q) == NULL, "an idle queue has nothing to wait for");
    ok(workq_done(q) == NULL, "nor anything finished");
    for (i = 0; i < 200; i++) {
        items[i] = i;
        workq_push(q, &items[i]);
    }
    ok(workq_count(q) <= 200 && workq_count(q) > 0,
       "pushed items are counted until taken back");
    while ((p = workq_wait(q)) != NULL) {
        sum += *p;
        got++;
    }
    is(got, 200, "every item comes back once");
    is(sum, 199 * 200, "each was run once");
    is(workq_count(q), 0, "none is left");
    is(t.seen[0] + t.seen[1] + t.seen[2] + t.seen[3], 200,
       "the workers ran them all");
    items[0] = 21;
    workq_push(q, &items[0]);
    while ((p = workq_done(q)) == NULL)
        ;
    is(*p, 42, "workq_done() hands back a finished item");
    workq_free(q);
    is(t.notified, 201, "the owner was told of each");
    workq_free(NULL);
}

static void
test_keyset(void)
{
    struct keyset *s = keyset_new(16);
    uint64_t k[20];
    size_t i;
    bool all = true;

    k[0] = keyset_key(1, "http://a.example/");
    is(k[0] == keyset_key(1, "http://a.example/"), 1, "a key is stable");
    ok(k[0] != keyset_key(2, "http://a.example/"),
       "the namespace is part of the key");
    ok(k[0] != keyset_key(1, "http://a.example/x"), "so is every byte");
    is(keyset_has(s, k[0]), 0, "an empty set holds nothing");
    keyset_add(s, k, 1);
    is(keyset_has(s, k[0]), 1, "an added key is held");
    keyset_add(s, k, 1);
    is(keyset_count(s), 1, "adding it again changes nothing");
    for (i = 0; i < 16; i++) {
        char url[32];

        snprintf(url, sizeof(url), "http://a.example/%zu", i);
        k[i] = keyset_key(1, url);
    }
    keyset_add(s, k, 15);
    is(keyset_count(s), 16, "the set fills up to its cap");
    for (i = 0; i < 15; i++)
        all = all && keyset_has(s, k[i]);
    ok(all, "and holds every key added");
    keyset_add(s, &k[15], 1);
    is(keyset_count(s), 1, "past the cap it forgets all and starts again");
    is(keyset_has(s, k[15]), 1, "with the new key");
    is(keyset_has(s, k[0]), 0, "without the old ones");
    k[0] = 0;
    keyset_add(s, k, 1);
    is(keyset_has(s, 0), 1, "even key 0 is a key");
    keyset_free(s);
    keyset_free(NULL);
}

int
main(void)
{
    test_buf();
    test_span();
    test_misc();
    test_table();
    test_workq();
    test_workq_keep();
    test_workq_late_keep();
    test_keyset();
    return done_testing();
}
