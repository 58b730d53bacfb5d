/*
 * common/secret.c: where the credential-hashing key comes from, that it is
 * created once with mode 0600 and reused, and that bad keys are refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "common/secret.h"
#include "tests/tap.h"

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
