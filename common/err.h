/*
 * Error codes shared by every module. Fallible functions return 0 or one of
 * these (negative); drp_strerror() gives the text for a message.
 */
#ifndef DRP_ERR_H
#define DRP_ERR_H

enum {
    DRP_OK = 0,
    DRP_EINVAL = -1,    /* bad argument or malformed input */
    DRP_ETOOBIG = -2,   /* a size cap was reached */
    DRP_EIO = -3,       /* file or system call failed (see errno) */
    DRP_ENOTFOUND = -4, /* the named thing does not exist */
    DRP_EDB = -5,       /* the database refused or is unreachable */
    DRP_ENET = -6,      /* network transfer failed */
    DRP_EPROXY = -7,    /* the Tor/SOCKS proxy is missing or down */
    DRP_EPOLICY = -8,   /* refused by a guardrail (fail closed) */
    DRP_ECONFIG = -9,   /* configuration is invalid */
    DRP_EHTTP = -10,    /* HTTP status outside 2xx/3xx */
    DRP_ETYPE = -11,    /* content type not accepted */
    DRP_ELEASE = -12,   /* the job's lease was lost: someone else holds it */
};

/* Text for a DRP_E* code; never NULL. */
const char *drp_strerror(int err);

#endif
