/*
 * Without --enable-fuzzing, each fuzz target links this main(): it feeds
 * every file of the corpus directories named on the command line (or in
 * FUZZ_CORPUS) to LLVMFuzzerTestOneInput once, and prints TAP.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/tap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
replay_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;

    if (!ok(d != NULL, "corpus directory %s opens", dir))
        return;
    while ((e = readdir(d)) != NULL) {
        char path[4096];
        FILE *f;
        char *data;
        long n;

        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        f = fopen(path, "rb");
        if (f == NULL)
            continue;
        fseek(f, 0, SEEK_END);
        n = ftell(f);
        fseek(f, 0, SEEK_SET);
        data = malloc((size_t)n + 1);
        if (fread(data, 1, (size_t)n, f) != (size_t)n)
            n = 0;
        fclose(f);
        LLVMFuzzerTestOneInput((const uint8_t *)data, (size_t)n);
        ok(1, "replayed %s (%ld bytes)", e->d_name, n);
        free(data);
    }
    closedir(d);
}

int
main(int argc, char **argv)
{
    const char *env = getenv("FUZZ_CORPUS");
    int i;

    for (i = 1; i < argc; i++)
        replay_dir(argv[i]);
    if (argc < 2 && env)
        replay_dir(env);
#ifdef FUZZ_CORPUS_DIR
    if (argc < 2 && !env)
        replay_dir(FUZZ_CORPUS_DIR);
#endif
    return done_testing();
}
