/*
 * Internationalised domain names on libidn2: IDNA2008 with UTS #46
 * (TR46) non-transitional processing, the rules browsers and registries
 * apply. A name has two forms: A-labels ("xn--bcher-kva.de", what DNS,
 * blocklists and the extraction engine's values use) and U-labels
 * ("bücher.de", what a reader sees). Pure functions, no I/O.
 */
#ifndef DRP_IDN_H
#define DRP_IDN_H

#include <stdbool.h>
#include <stddef.h>

#define IDN_MAX_NAME 253   /* bytes of a name in A-labels (DNS) */
#define IDN_MAX_INPUT 1024 /* bytes of UTF-8 input; longer is refused */

/*
 * Whether name[0..n) needs IDN processing: it holds a byte >= 0x80 or a
 * label that starts "xn--" (any case). Plain ASCII names (the vast
 * majority) need none and can skip idn_to_ascii().
 */
bool idn_applies(const char *name, size_t n);

/*
 * The A-label form of the host name name[0..n) (UTF-8, U-labels, A-labels
 * or a mix; no trailing dot): mapped (lowercased, NFC) and validated by
 * IDNA2008/TR46 non-transitional, every "xn--" label checked to decode,
 * and the result plain LDH ("a-z", "0-9", "-" and dots; no empty label,
 * labels of at most 63 bytes, at most IDN_MAX_NAME bytes in all). Returns
 * a new string, or NULL when any label is invalid. When unicode is not
 * NULL, *unicode gets the U-label form of the result (a new string), or
 * NULL. Caller frees. libidn2 takes some microseconds a name: call it on
 * names that idn_applies() to, after the cheaper checks.
 */
char *idn_to_ascii(const char *name, size_t n, char **unicode);

/*
 * The U-label form of name (A-labels, as idn_to_ascii() returns), checked
 * to convert back to name exactly; else NULL. Caller frees.
 */
char *idn_to_unicode(const char *name);

#endif
