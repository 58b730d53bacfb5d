/*
 * The embedded PostgreSQL cluster: finds initdb/pg_ctl, creates the cluster
 * on first use, starts and stops it, and creates the drpwatch database.
 * Runs the server as an unprivileged user when we are root. Talks to the
 * server only through pg_ctl and libpq.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "common/err.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "storage/cluster.h"
#include "common/banned.h"

#define CLUSTER_MAX_OUTPUT (64u << 10)

char *
cluster_data_dir(const char *data_opt)
{
    const char *env = getenv("DRPWATCH_HOME");
    const char *xdg = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");

    if (data_opt && *data_opt)
        return xstrdup(data_opt);
    if (env && *env)
        return xstrdup(env);
    if (geteuid() == 0)
        return xstrdup("/var/lib/drpwatch");
    if (xdg && *xdg)
        return xasprintf("%s/drpwatch", xdg);
    return xasprintf("%s/.local/share/drpwatch", home ? home : ".");
}

static bool
is_file(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Directory holding initdb and pg_ctl, or NULL. Caller frees. */
static char *
find_bindir(void)
{
    const char *env = getenv("DRPWATCH_PG_BINDIR");
    const char *path = getenv("PATH");
    DIR *d;
    struct dirent *e;
    long best = -1;
    char *found = NULL;

    if (env && *env)
        return xstrdup(env);
    d = opendir("/usr/lib/postgresql");
    if (d) {
        while ((e = readdir(d)) != NULL) {
            char *end;
            long v = strtol(e->d_name, &end, 10);
            char *p;

            if (end == e->d_name || *end != '\0' || v <= best)
                continue;
            p = xasprintf("/usr/lib/postgresql/%s/bin/initdb", e->d_name);
            if (is_file(p)) {
                best = v;
                free(found);
                found = xasprintf("/usr/lib/postgresql/%s/bin", e->d_name);
            }
            free(p);
        }
        closedir(d);
    }
    if (found)
        return found;
    while (path && *path) {
        const char *colon = strchr(path, ':');
        size_t n = colon ? (size_t)(colon - path) : strlen(path);
        char *dir = xstrndup(path, n);
        char *p = xasprintf("%s/initdb", dir);

        if (is_file(p)) {
            free(p);
            return dir;
        }
        free(p);
        free(dir);
        path = colon ? colon + 1 : NULL;
    }
    return NULL;
}

struct runas {
    bool drop;  /* switch to uid/gid in the child */
    uid_t uid;
    gid_t gid;
};

/* Whether we must run the server as CLUSTER_USER; creates the user. */
static int
server_user(struct runas *ra, struct buf *err)
{
    struct passwd *pw;

    ra->drop = false;
    if (geteuid() != 0)
        return 0;
    pw = getpwnam(CLUSTER_USER);
    if (pw == NULL) {
        pid_t pid;
        int status;

        log_info("creating system user: user='%s' (PostgreSQL refuses to "
                 "run as root)", CLUSTER_USER);
        pid = fork();
        if (pid < 0)
            return DRP_EIO;
        if (pid == 0) {
            execlp("useradd", "useradd", "--system", "--no-create-home",
                   "--home-dir", "/nonexistent", "--shell",
                   "/usr/sbin/nologin", CLUSTER_USER, (char *)NULL);
            _exit(127);
        }
        if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
            WEXITSTATUS(status) != 0) {
            buf_addf(err, "cannot create system user '%s' with useradd; "
                          "create it by hand or run drpwatch as a normal "
                          "user", CLUSTER_USER);
            return DRP_EIO;
        }
        pw = getpwnam(CLUSTER_USER);
        if (pw == NULL) {
            buf_addf(err, "system user '%s' missing after useradd",
                     CLUSTER_USER);
            return DRP_EIO;
        }
    }
    ra->drop = true;
    ra->uid = pw->pw_uid;
    ra->gid = pw->pw_gid;
    return 0;
}

static void
become(const struct runas *ra)
{
    if (!ra->drop)
        return;
    if (setgroups(0, NULL) < 0 || setgid(ra->gid) < 0 ||
        setuid(ra->uid) < 0)
        _exit(126);
}

/*
 * Runs argv (as ra's user), capturing up to CLUSTER_MAX_OUTPUT bytes of its
 * output in out. Returns the exit status, or -1 when it could not run.
 */
static int
run(const struct runas *ra, char *const argv[], struct buf *out)
{
    int fds[2];
    pid_t pid;
    int status;
    char chunk[4096];
    ssize_t n;

    if (pipe(fds) < 0)
        return -1;
    pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDONLY);

        become(ra);
        if (devnull >= 0)
            dup2(devnull, 0);
        dup2(fds[1], 1);
        dup2(fds[1], 2);
        close(fds[0]);
        close(fds[1]);
        if (chdir("/") < 0)
            _exit(126);
        execv(argv[0], argv);
        _exit(127);
    }
    close(fds[1]);
    while ((n = read(fds[0], chunk, sizeof(chunk))) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (out && out->len + (size_t)n <= out->max)
            buf_add(out, chunk, (size_t)n);
    }
    close(fds[0]);
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    if (!WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
}

/* Whether the server user can reach dir (every parent searchable). */
static bool
reachable(const struct runas *ra, const char *dir)
{
    pid_t pid;
    int status;

    if (!ra->drop)
        return true;
    pid = fork();
    if (pid < 0)
        return false;
    if (pid == 0) {
        become(ra);
        _exit(access(dir, X_OK) == 0 ? 0 : 1);
    }
    if (waitpid(pid, &status, 0) < 0)
        return false;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static int
make_dir(const char *path, mode_t mode, const struct runas *ra, bool give,
         struct buf *err)
{
    if (mkdir(path, mode) < 0 && errno != EEXIST) {
        buf_addf(err, "cannot create directory '%s': %s", path,
                 strerror(errno));
        return DRP_EIO;
    }
    if (give && ra->drop && chown(path, ra->uid, ra->gid) < 0) {
        buf_addf(err, "cannot hand '%s' to user '%s': %s", path,
                 CLUSTER_USER, strerror(errno));
        return DRP_EIO;
    }
    return 0;
}

/* mkdir -p for the data directory itself. */
static int
make_parents(const char *path, struct buf *err)
{
    char *p = xstrdup(path);
    char *s;
    int rc = 0;

    for (s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0755) < 0 && errno != EEXIST) {
            buf_addf(err, "cannot create directory '%s': %s", p,
                     strerror(errno));
            rc = DRP_EIO;
            break;
        }
        *s = '/';
    }
    free(p);
    return rc;
}

static bool
path_ok(const char *path)
{
    return path[0] == '/' && strchr(path, '\'') == NULL &&
           strchr(path, '\n') == NULL;
}

char *
cluster_conninfo(const char *data_dir)
{
    /* No quotes needed: path_ok() rejects quotes; spaces are escaped. */
    struct buf b = BUF_INIT(8192);
    const char *p;

    buf_adds(&b, "host='");
    for (p = data_dir; *p; p++) {
        if (*p == '\\' || *p == '\'')
            buf_addc(&b, '\\');
        buf_addc(&b, *p);
    }
    buf_addf(&b, "/run' dbname=%s user=%s connect_timeout=10",
             CLUSTER_DBNAME, CLUSTER_USER);
    return buf_detach(&b, NULL);
}

int
cluster_status(const char *data_dir, bool *running, bool *exists,
               struct buf *err)
{
    char *bindir = find_bindir();
    char *pgdata = xasprintf("%s/pg", data_dir);
    char *version = xasprintf("%s/PG_VERSION", pgdata);
    char *pgctl = NULL;
    struct runas ra = { 0 };
    int rc = 0;
    int st;

    *running = false;
    *exists = is_file(version);
    if (!*exists)
        goto out;
    if (bindir == NULL) {
        buf_addf(err, "PostgreSQL server programs not found (initdb, "
                      "pg_ctl); install postgresql or set "
                      "DRPWATCH_PG_BINDIR");
        rc = DRP_ENOTFOUND;
        goto out;
    }
    rc = server_user(&ra, err);
    if (rc < 0)
        goto out;
    pgctl = xasprintf("%s/pg_ctl", bindir);
    {
        char *argv[] = { pgctl, "status", "-D", pgdata, NULL };

        st = run(&ra, argv, NULL);
    }
    *running = st == 0;
out:
    free(pgctl);
    free(version);
    free(pgdata);
    free(bindir);
    return rc;
}

static int
write_settings(const char *pgdata, const char *sockdir, struct buf *err)
{
    char *conf = xasprintf("%s/postgresql.conf", pgdata);
    FILE *f = fopen(conf, "a");
    int rc = 0;

    if (f == NULL) {
        buf_addf(err, "cannot open '%s': %s", conf, strerror(errno));
        free(conf);
        return DRP_EIO;
    }
    fprintf(f, "\n# drpwatch embedded cluster: Unix socket only\n"
               "listen_addresses = ''\n"
               "unix_socket_directories = '%s'\n"
               "unix_socket_permissions = 0700\n"
               "max_connections = 100\n"
               "fsync = on\n"
               "log_timezone = 'UTC'\n"
               "timezone = 'UTC'\n",
            sockdir);
    if (fclose(f) != 0) {
        buf_addf(err, "cannot write '%s': %s", conf, strerror(errno));
        rc = DRP_EIO;
    }
    free(conf);
    return rc;
}

static int
create_database(const char *data_dir, struct buf *err)
{
    struct buf ci = BUF_INIT(8192);
    char *base = cluster_conninfo(data_dir);
    PGconn *c;
    PGresult *r;
    int rc = 0;
    const char *params[1] = { CLUSTER_DBNAME };
    char *p;

    /* Same socket, the maintenance database. */
    p = strstr(base, " dbname=");
    buf_add(&ci, base, (size_t)(p - base));
    buf_addf(&ci, " dbname=postgres user=%s connect_timeout=10",
             CLUSTER_USER);
    c = PQconnectdb(buf_str(&ci));
    if (PQstatus(c) != CONNECTION_OK) {
        buf_addf(err, "cannot connect to the embedded cluster: %s",
                 PQerrorMessage(c));
        rc = DRP_EDB;
        goto out;
    }
    r = PQexecParams(c, "SELECT 1 FROM pg_database WHERE datname = $1", 1,
                     NULL, params, NULL, NULL, 0);
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 0) {
        PQclear(r);
        /* An identifier cannot be a parameter; this one is a constant. */
        r = PQexec(c, "CREATE DATABASE " CLUSTER_DBNAME
                      " ENCODING 'UTF8' TEMPLATE template0");
        if (PQresultStatus(r) != PGRES_COMMAND_OK &&
            strstr(PQresultErrorMessage(r), "already exists") == NULL) {
            buf_addf(err, "cannot create database '%s': %s", CLUSTER_DBNAME,
                     PQresultErrorMessage(r));
            rc = DRP_EDB;
        }
    }
    PQclear(r);
out:
    PQfinish(c);
    free(base);
    buf_release(&ci);
    return rc;
}

int
cluster_start(const char *data_dir, struct buf *err)
{
    char *bindir = find_bindir();
    char *pgdata = xasprintf("%s/pg", data_dir);
    char *sockdir = xasprintf("%s/run", data_dir);
    char *version = xasprintf("%s/PG_VERSION", pgdata);
    char *logfile = xasprintf("%s/server.log", pgdata);
    char *initdb = NULL, *pgctl = NULL;
    struct buf out = BUF_INIT(CLUSTER_MAX_OUTPUT);
    struct runas ra = { 0 };
    bool running, exists;
    int rc;
    int st;

    if (!path_ok(data_dir)) {
        buf_addf(err, "data directory '%s' must be an absolute path without "
                      "quotes", data_dir);
        rc = DRP_EINVAL;
        goto out;
    }
    if (strlen(sockdir) + sizeof("/.s.PGSQL.5432") >
        sizeof(((struct sockaddr_un *)0)->sun_path)) {
        buf_addf(err, "data directory '%s' is too long for a Unix socket "
                      "path; choose a shorter one with --data-dir",
                 data_dir);
        rc = DRP_EINVAL;
        goto out;
    }
    if (bindir == NULL) {
        buf_addf(err, "PostgreSQL server programs not found (initdb, "
                      "pg_ctl); install them (apt-get install postgresql) "
                      "or set DRPWATCH_PG_BINDIR");
        rc = DRP_ENOTFOUND;
        goto out;
    }
    initdb = xasprintf("%s/initdb", bindir);
    pgctl = xasprintf("%s/pg_ctl", bindir);
    rc = server_user(&ra, err);
    if (rc < 0)
        goto out;
    rc = make_parents(data_dir, err);
    if (rc == 0)
        rc = make_dir(data_dir, ra.drop ? 0711 : 0700, &ra, false, err);
    if (rc < 0)
        goto out;
    /* The server's user must be able to pass through (not list) it. */
    if (ra.drop && chmod(data_dir, 0711) < 0) {
        buf_addf(err, "cannot chmod '%s': %s", data_dir, strerror(errno));
        rc = DRP_EIO;
        goto out;
    }
    if (!reachable(&ra, data_dir)) {
        buf_addf(err, "data directory '%s' is not reachable by system user "
                      "'%s' (a parent directory is private); choose another "
                      "with --data-dir or DRPWATCH_HOME, e.g. "
                      "/var/lib/drpwatch", data_dir, CLUSTER_USER);
        rc = DRP_EINVAL;
        goto out;
    }
    rc = make_dir(sockdir, 0700, &ra, true, err);
    if (rc < 0)
        goto out;
    if (!is_file(version)) {
        char *argv[] = { initdb, "-D", pgdata, "-U", CLUSTER_USER,
                         "--auth-local=trust", "--auth-host=reject",
                         "-E", "UTF8", "--no-locale", NULL };

        rc = make_dir(pgdata, 0700, &ra, true, err);
        if (rc < 0)
            goto out;
        log_info("creating embedded database cluster: dir='%s'", pgdata);
        st = run(&ra, argv, &out);
        if (st != 0) {
            buf_addf(err, "initdb failed (exit %d): %.*s", st,
                     (int)(out.len > 2000 ? 2000 : out.len), buf_str(&out));
            rc = DRP_EIO;
            goto out;
        }
        rc = write_settings(pgdata, sockdir, err);
        if (rc < 0)
            goto out;
    }
    rc = cluster_status(data_dir, &running, &exists, err);
    if (rc < 0)
        goto out;
    if (!running) {
        char *argv[] = { pgctl, "start", "-w", "-t", "60", "-D", pgdata,
                         "-l", logfile, NULL };

        buf_reset(&out);
        log_info("starting embedded database: dir='%s'", pgdata);
        st = run(&ra, argv, &out);
        if (st != 0) {
            /* Another process may have started it meanwhile. */
            rc = cluster_status(data_dir, &running, &exists, err);
            if (rc < 0 || !running) {
                buf_addf(err, "pg_ctl start failed (exit %d): %.*s; see "
                              "'%s'", st,
                         (int)(out.len > 2000 ? 2000 : out.len),
                         buf_str(&out), logfile);
                rc = DRP_EIO;
                goto out;
            }
        }
    }
    rc = create_database(data_dir, err);
out:
    buf_release(&out);
    free(initdb);
    free(pgctl);
    free(logfile);
    free(version);
    free(sockdir);
    free(pgdata);
    free(bindir);
    return rc;
}

int
cluster_stop(const char *data_dir, struct buf *err)
{
    char *bindir = NULL;
    char *pgdata = xasprintf("%s/pg", data_dir);
    char *pgctl = NULL;
    struct buf out = BUF_INIT(CLUSTER_MAX_OUTPUT);
    struct runas ra = { 0 };
    bool running, exists;
    int rc;
    int st;

    rc = cluster_status(data_dir, &running, &exists, err);
    if (rc < 0 || !running)
        goto out;
    bindir = find_bindir();
    pgctl = xasprintf("%s/pg_ctl", bindir);
    rc = server_user(&ra, err);
    if (rc < 0)
        goto out;
    {
        char *argv[] = { pgctl, "stop", "-w", "-t", "60", "-m", "fast",
                         "-D", pgdata, NULL };

        st = run(&ra, argv, &out);
    }
    if (st != 0) {
        buf_addf(err, "pg_ctl stop failed (exit %d): %.*s", st,
                 (int)(out.len > 2000 ? 2000 : out.len), buf_str(&out));
        rc = DRP_EIO;
    }
out:
    buf_release(&out);
    free(pgctl);
    free(pgdata);
    free(bindir);
    return rc;
}
