/*
 * Fuzz target for the YAML config loader: any bytes give either a config
 * or an error message, never a crash or a leak.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/drpwatch-fuzz-config-XXXXXX";
    int fd = mkstemp(path);
    struct config cfg;
    struct buf err = BUF_INIT(4096);

    if (fd < 0)
        return 0;
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        unlink(path);
        return 0;
    }
    close(fd);
    config_init(&cfg);
    config_load(&cfg, path, &err);
    config_release(&cfg);
    buf_release(&err);
    unlink(path);
    return 0;
}
