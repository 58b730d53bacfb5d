/*
 * ASCII character classes, independent of the locale (the <ctype.h>
 * functions follow LC_CTYPE and take an int that must not be a negative
 * char). Bytes of 0x80 and above are in no class.
 */
#ifndef DRP_ASCII_H
#define DRP_ASCII_H

#include <stdbool.h>

static inline bool
ascii_isdigit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static inline bool
ascii_isalpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline bool
ascii_isalnum(unsigned char c)
{
    return ascii_isdigit(c) || ascii_isalpha(c);
}

static inline bool
ascii_isxdigit(unsigned char c)
{
    return ascii_isdigit(c) || (c >= 'a' && c <= 'f') ||
           (c >= 'A' && c <= 'F');
}

/* Space, tab, newline, carriage return, form feed, vertical tab: what
   pcre2's \s matches without PCRE2_UCP. */
static inline bool
ascii_isspace(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

static inline char
ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

#endif
