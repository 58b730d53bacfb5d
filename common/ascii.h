/*
 * ASCII character classes, independent of the locale (the <ctype.h>
 * functions follow LC_CTYPE and take an int that must not be a negative
 * char). Bytes of 0x80 and above are in no class.
 */
#ifndef DRP_ASCII_H
#define DRP_ASCII_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum ascii_class_bits {
    ASCII_DIGIT = 1 << 0,
    ASCII_UPPER = 1 << 1,
    ASCII_LOWER = 1 << 2,
    ASCII_XALPHA = 1 << 3, /* a-f, A-F */
    ASCII_SPACE = 1 << 4,
};

/* The classes of each byte (common/ascii.c). */
extern const unsigned char ascii_class[256];

static inline bool
ascii_isdigit(unsigned char c)
{
    return ascii_class[c] & ASCII_DIGIT;
}

static inline bool
ascii_isalpha(unsigned char c)
{
    return ascii_class[c] & (ASCII_UPPER | ASCII_LOWER);
}

static inline bool
ascii_isalnum(unsigned char c)
{
    return ascii_class[c] & (ASCII_DIGIT | ASCII_UPPER | ASCII_LOWER);
}

static inline bool
ascii_isxdigit(unsigned char c)
{
    return ascii_class[c] & (ASCII_DIGIT | ASCII_XALPHA);
}

/* Space, tab, newline, carriage return, form feed, vertical tab: what
   pcre2's \s matches without PCRE2_UCP. */
static inline bool
ascii_isspace(unsigned char c)
{
    return ascii_class[c] & ASCII_SPACE;
}

static inline char
ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/*
 * Length of s[0..n) before its first byte at or below ' ' (white space,
 * NUL or another control byte), eight bytes at a time: the lowest byte
 * flagged by (w - 0x21..) & ~w & 0x80.. is the first one below 0x21
 * (borrows only run upwards, and bytes from 0x80 are never flagged).
 */
static inline size_t
ascii_above_space(const char *s, size_t n)
{
    size_t i = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint64_t lo = 0x0101010101010101ull, hi = 0x8080808080808080ull;
    uint64_t w, m;

    for (; n - i >= 8; i += 8) {
        memcpy(&w, s + i, sizeof(w));
        m = (w - 0x21 * lo) & ~w & hi;
        if (m != 0)
            return i + (size_t)__builtin_ctzll(m) / 8;
    }
#endif
    while (i < n && (unsigned char)s[i] > ' ')
        i++;
    return i;
}

#endif
