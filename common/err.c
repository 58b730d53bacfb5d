/*
 * Text for the DRP_E* error codes.
 */
#include "common/err.h"

const char *
drp_strerror(int err)
{
    switch (err) {
    case DRP_OK: return "success";
    case DRP_EINVAL: return "invalid input";
    case DRP_ETOOBIG: return "size limit exceeded";
    case DRP_EIO: return "i/o error";
    case DRP_ENOTFOUND: return "not found";
    case DRP_EDB: return "database error";
    case DRP_ENET: return "network error";
    case DRP_EPROXY: return "proxy unavailable";
    case DRP_EPOLICY: return "refused by policy";
    case DRP_ECONFIG: return "configuration error";
    case DRP_EHTTP: return "http error status";
    case DRP_ETYPE: return "content type not accepted";
    case DRP_ELEASE: return "lease lost";
    }
    return "unknown error";
}
