/*
 * http_send() (http.h): one libcurl easy transfer; the answer written into
 * a capped buffer, aborted past the cap.
 */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "alerts/http.h"
#include "common/err.h"
#include "common/banned.h"

struct capped {
    struct buf *b;
    bool full;
};

static size_t
on_body(char *ptr, size_t size, size_t nmemb, void *arg)
{
    struct capped *c = arg;

    if (buf_add(c->b, ptr, size * nmemb) < 0) {
        c->full = true;
        return 0; /* aborts the transfer */
    }
    return size * nmemb;
}

int
http_curl_failed(struct buf *err, int code, const char *errbuf)
{
    buf_addf(err, "curl=%d (%s)", code,
             errbuf && errbuf[0] ? errbuf
                                 : curl_easy_strerror((CURLcode)code));
    return DRP_ENET;
}

int
http_send(const struct http_req *r, long *status, struct buf *resp,
          struct buf *err)
{
    char errbuf[CURL_ERROR_SIZE] = "";
    struct capped cap = { resp, false };
    struct curl_slist *hdr = NULL;
    CURL *h = curl_easy_init();
    CURLcode code;
    size_t i;
    int rc = 0;

    if (h == NULL)
        abort(); /* out of memory */
    *status = 0;
    for (i = 0; r->headers && r->headers[i]; i++)
        hdr = curl_slist_append(hdr, r->headers[i]);
    hdr = curl_slist_append(hdr, "Expect:");
    if (hdr == NULL)
        abort();
    curl_easy_setopt(h, CURLOPT_URL, r->url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, r->timeout > 0 ? r->timeout : 30L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "drpwatch/" PACKAGE_VERSION);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &cap);
    if (r->username) {
        curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(h, CURLOPT_USERNAME, r->username);
        curl_easy_setopt(h, CURLOPT_PASSWORD,
                         r->password ? r->password : "");
    }
    if (strcmp(r->method, "POST") == 0) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, r->body ? r->body : "");
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)r->body_len);
    }
    code = curl_easy_perform(h);
    if (code == CURLE_WRITE_ERROR && cap.full) {
        buf_addf(err, "the answer is larger than %zu bytes", resp->max);
        rc = DRP_ETOOBIG;
    } else if (code != CURLE_OK) {
        rc = http_curl_failed(err, (int)code, errbuf);
    } else {
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
    }
    curl_slist_free_all(hdr);
    curl_easy_cleanup(h);
    return rc;
}
