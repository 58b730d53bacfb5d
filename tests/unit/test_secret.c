/*
 * common/secret.c: where the credential-hashing key comes from, that it is
 * created once with mode 0600 and reused, and that bad keys are refused.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/err.h"
#include "common/secret.h"
#include "tests/tap.h"

#define RACERS 8
#define ROUNDS 25

/*
 * RACERS processes load the key of one new data directory at the same
 * moment, ROUNDS times: each must get a whole key, all the same one
 * (drpwatch run's workers start together; one read the key file another
 * had created but not yet written, and stopped).
 */
static void
test_race(const char *dir)
{
    char data[128], keys[RACERS][65], name[128 + 256 + 2];
    int gate[2], out[RACERS][2], status, round, i, failed = 0, differ = 0;
    int leftover = 0;
    pid_t pid[RACERS];
    ssize_t n;
    DIR *d;
    struct dirent *e;

    for (round = 0; round < ROUNDS; round++) {
        snprintf(data, sizeof(data), "%s/race%d", dir, round);
        if (pipe(gate) < 0)
            return;
        for (i = 0; i < RACERS; i++) {
            if (pipe(out[i]) < 0)
                return;
            pid[i] = fork();
            if (pid[i] == 0) {
                struct buf key = BUF_INIT(SECRET_MAX_KEY);
                struct buf err = BUF_INIT(1024);
                char go;

                close(gate[1]);
                close(out[i][0]);
                if (read(gate[0], &go, 1) < 0)
                    _exit(3);
                if (secret_load_key(NULL, data, &key, &err) != 0 ||
                    key.len != 64 ||
                    write(out[i][1], key.ptr, 64) != 64)
                    _exit(1);
                _exit(0);
            }
            close(out[i][1]);
        }
        close(gate[0]);
        close(gate[1]); /* all start now */
        for (i = 0; i < RACERS; i++) {
            n = read(out[i][0], keys[i], 64);
            keys[i][n > 0 ? n : 0] = '\0';
            close(out[i][0]);
            if (waitpid(pid[i], &status, 0) < 0 || !WIFEXITED(status) ||
                WEXITSTATUS(status) != 0)
                failed++;
            else if (strcmp(keys[i], keys[0]) != 0)
                differ++;
        }
        if ((d = opendir(data)) != NULL) {
            while ((e = readdir(d)) != NULL) {
                if (e->d_name[0] == '.')
                    continue;
                if (strcmp(e->d_name, "hash.key") != 0)
                    leftover++;
                snprintf(name, sizeof(name), "%s/%s", data, e->d_name);
                unlink(name);
            }
            closedir(d);
        }
        rmdir(data);
    }
    is(failed, 0, "%d processes starting together, %d times: each loads "
                  "the key", RACERS, ROUNDS);
    is(differ, 0, "and they all load the same key");
    is(leftover, 0, "no file but hash.key is left in the data directory");
}

int
main(void)
{
    char dir[] = "/tmp/drpwatch-test-secret-XXXXXX";
    char path[128], keyfile[256];
    struct buf key = BUF_INIT(SECRET_MAX_KEY), first = BUF_INIT(SECRET_MAX_KEY);
    struct buf err = BUF_INIT(1024);
    struct stat st;
    FILE *f;

    if (mkdtemp(dir) == NULL)
        return 1;
    unsetenv("DRPWATCH_HASH_KEY");
    snprintf(path, sizeof(path), "%s/data", dir);
    is(secret_load_key(NULL, path, &key, &err), 0,
       "a key is created in a new data directory");
    is(key.len, 64, "the new key is 32 random bytes in hex");
    snprintf(keyfile, sizeof(keyfile), "%s/hash.key", path);
    ok(stat(keyfile, &st) == 0 && (st.st_mode & 0777) == 0600,
       "hash.key has mode 0600");
    buf_add(&first, key.ptr, key.len);
    is(secret_load_key(NULL, path, &key, &err), 0, "loading again works");
    ok(key.len == first.len && memcmp(key.ptr, first.ptr, key.len) == 0,
       "the same key is read back, not replaced");

    setenv("DRPWATCH_HASH_KEY", "an-operator-key-from-the-env", 1);
    is(secret_load_key(NULL, path, &key, &err), 0, "DRPWATCH_HASH_KEY is used");
    is_str(buf_str(&key), "an-operator-key-from-the-env",
           "the environment wins over the data directory");
    setenv("DRPWATCH_HASH_KEY", "short", 1);
    buf_reset(&err);
    is(secret_load_key(NULL, path, &key, &err), DRP_EINVAL,
       "a key under 16 bytes is refused");
    ok(strstr(buf_str(&err), "shorter than 16 bytes") != NULL &&
           strstr(buf_str(&err), "short\"") == NULL,
       "the error says why without echoing the key");
    unsetenv("DRPWATCH_HASH_KEY");

    snprintf(keyfile, sizeof(keyfile), "%s/operator.key", dir);
    f = fopen(keyfile, "w");
    fputs("0123456789abcdef-operator\n", f);
    fclose(f);
    is(secret_load_key(keyfile, path, &key, &err), 0,
       "the configured key file is used");
    is_str(buf_str(&key), "0123456789abcdef-operator",
           "its trailing newline is dropped");
    buf_reset(&err);
    is(secret_load_key("/nonexistent/key", path, &key, &err), DRP_EIO,
       "a missing key file is an error, not a silent new key");
    ok(strstr(buf_str(&err), "/nonexistent/key") != NULL,
       "the error names the file");

    test_race(dir);

    unlink(keyfile);
    snprintf(keyfile, sizeof(keyfile), "%s/hash.key", path);
    unlink(keyfile);
    rmdir(path);
    rmdir(dir);
    buf_release(&key);
    buf_release(&first);
    buf_release(&err);
    return done_testing();
}
