/*
 * Character folding for watch terms. Each character has an exact form
 * (NFKD and full Unicode case folding, libunistring: "Ｎ", "N" and "n" are
 * one, "ß" is "ss", "İ" is "i") and a loose key: the exact form's
 * confusable skeleton (Unicode TR39, ICU's uspoof: Cyrillic "а", Greek
 * "α" and "a" are one; "m" is "rn", "0" is "o", "1" is "l"), folded again.
 * A few ASCII digits and signs also stand for letters in leetspeak
 * ("4" for a, "1" for l or i). Pure: no I/O; thread-safe (the tables are
 * built once, on first use).
 */
#ifndef DRP_FOLD_H
#define DRP_FOLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <unitypes.h>

#define FOLD_MAX 32 /* code points of one character's form or key */

/*
 * The exact form of c into out (FOLD_MAX code points); returns its
 * length, 0 for a character that folds to nothing (or a too long form).
 */
size_t fold_exact(ucs4_t c, ucs4_t *out);

/* The loose key of c into out (FOLD_MAX code points); returns its length. */
size_t fold_key(ucs4_t c, ucs4_t *out);

/*
 * c's second key: its skeleton, then folded. It differs from the first
 * for capitals whose lowercase looks different: "I" is "i" and "l",
 * Greek "Ν" is "v" and "n".
 */
size_t fold_key2(ucs4_t c, ucs4_t *out);

/*
 * The ASCII lookalike of c, a non-ASCII character of the blocks of
 * fold_sources(), in 1 or 2 bytes at out (not terminated), keeping the
 * case it shows (Cyrillic "а" is "a", Greek "Ν" is "N", "ß" is "ss");
 * returns 0 when it has none.
 */
size_t fold_ascii(ucs4_t c, char *out);

/*
 * fold_ascii() of U+0000..FOLD_TABLE_END - 1 as a table, for loops over
 * text: out[c] holds 1 or 2 bytes, 0 when c has no ASCII lookalike.
 */
#define FOLD_TABLE_END 0x530
const char (*fold_ascii_table(void))[2];

/*
 * Past the table, the 256-character pages fold_ascii() may fold a
 * character of: bit (c >> 8) % 64 of map[c >> 14] for c below
 * FOLD_PAGES_END, beyond which it folds none. For loops over text in
 * other scripts (Han, Hangul), which then need not call it.
 */
#define FOLD_PAGES_END 0x20000
const uint64_t *fold_ascii_pages(void);

/* Whether fold_ascii(c) may be other than 0, by the map of pages. */
static inline bool
fold_ascii_page(const uint64_t *pages, ucs4_t c)
{
    return c < FOLD_PAGES_END && ((pages[c >> 14] >> ((c >> 8) & 63)) & 1);
}

/*
 * The ASCII letters that c stands for in leetspeak ("a" for '4' and '@',
 * "li" for '1' and '|'), or NULL when c is not a leet character.
 */
const char *fold_leet(ucs4_t c);

/*
 * The characters whose loose key is key[0..n) (n is 1 or 2), among ASCII
 * and the scripts and blocks lookalikes come from (Latin, Greek, Cyrillic,
 * Armenian, Cherokee, letterlike symbols, enclosed and fullwidth forms,
 * mathematical alphanumerics). Sets *count; the array is static.
 */
const ucs4_t *fold_sources(const ucs4_t *key, size_t n, size_t *count);

#endif
