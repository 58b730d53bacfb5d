/*
 * The table behind common/ascii.h: one load and one test per class
 * instead of two to six compares, in loops that walk every byte.
 */
#include "common/ascii.h"

const unsigned char ascii_class[256] = {
    ['0' ... '9'] = ASCII_DIGIT,
    ['A' ... 'F'] = ASCII_UPPER | ASCII_XALPHA,
    ['G' ... 'Z'] = ASCII_UPPER,
    ['a' ... 'f'] = ASCII_LOWER | ASCII_XALPHA,
    ['g' ... 'z'] = ASCII_LOWER,
    [' '] = ASCII_SPACE,
    ['\t'] = ASCII_SPACE,
    ['\n'] = ASCII_SPACE,
    ['\r'] = ASCII_SPACE,
    ['\f'] = ASCII_SPACE,
    ['\v'] = ASCII_SPACE,
};
