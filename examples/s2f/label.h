/* Text labels on the contact sheet: a 5x8 bitmap font (font5x8.c) and the rules that fit a
 * label into a tile's width. */
#ifndef S2F_CLI_LABEL_H
#define S2F_CLI_LABEL_H

#include <stddef.h>
#include <stdint.h>

#define LABEL_GLYPH_ROWS 8
#define LABEL_GLYPH_COLUMNS 5
#define LABEL_ADVANCE 6     /* pixels from one character to the next */
#define LABEL_LINE_HEIGHT 10 /* pixels from one line to the next */

typedef struct font_glyph {
    char rows[LABEL_GLYPH_ROWS][LABEL_GLYPH_COLUMNS + 1]; /* '#' = ink, '.' = paper */
} font_glyph;

/* Printable ASCII, indexed by character - 32. */
extern const font_glyph font5x8[95];

/* Draws `text` (ASCII; other bytes as '?') with its top-left corner at (x, y), clipped to the
 * image. */
void label_draw(uint8_t *rgb, int width, int height, size_t stride, int x, int y,
                const char *text, const uint8_t color[3]);

/* Writes into `out` what the sheet shows of `text` in at most `max_chars` characters: each UTF-8
 * sequence (or stray byte) outside ASCII becomes one '?', and a name that is still too long keeps
 * its start and end around "..", since file names differ most at both ends. */
void label_fit(const char *text, size_t max_chars, char *out, size_t out_size);

#endif
