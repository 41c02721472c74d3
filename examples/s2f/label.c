/* Drawing of the contact sheet's labels (see label.h). */
#include "label.h"

#include <string.h>

static const font_glyph *glyph_of(unsigned char c)
{
    return &font5x8[(c >= 32 && c < 127 ? c : '?') - 32];
}

void label_draw(uint8_t *rgb, int width, int height, size_t stride, int x, int y,
                const char *text, const uint8_t color[3])
{
    for (const unsigned char *c = (const unsigned char *)text; *c; ++c, x += LABEL_ADVANCE) {
        const font_glyph *glyph = glyph_of(*c);
        for (int row = 0; row < LABEL_GLYPH_ROWS; ++row)
            for (int column = 0; column < LABEL_GLYPH_COLUMNS; ++column) {
                int px = x + column, py = y + row;
                if (glyph->rows[row][column] != '#' || px < 0 || py < 0 || px >= width ||
                    py >= height)
                    continue;
                uint8_t *pixel = rgb + (size_t)py * stride + (size_t)px * 3;
                memcpy(pixel, color, 3);
            }
    }
}

/* Length of the UTF-8 sequence that starts with `lead`, 1 for a stray byte. */
static size_t sequence_length(const unsigned char *s)
{
    size_t expected = s[0] >= 0xF0 && s[0] < 0xF8 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC0 ? 2 : 1;
    size_t n = 1;
    while (n < expected && (s[n] & 0xC0) == 0x80)
        ++n;
    return n;
}

void label_fit(const char *text, size_t max_chars, char *out, size_t out_size)
{
    if (out_size == 0)
        return;
    /* ASCII first: one character per UTF-8 sequence. */
    char ascii[1024];
    size_t length = 0;
    for (const unsigned char *s = (const unsigned char *)text; *s && length + 1 < sizeof ascii;) {
        if (*s >= 32 && *s < 127) {
            ascii[length++] = (char)*s++;
        } else {
            ascii[length++] = '?';
            s += *s < 128 ? 1 : sequence_length(s);
        }
    }
    ascii[length] = '\0';
    if (max_chars + 1 > out_size)
        max_chars = out_size - 1;
    if (length <= max_chars) {
        memcpy(out, ascii, length + 1);
        return;
    }
    if (max_chars < 4) {
        memcpy(out, ascii, max_chars);
        out[max_chars] = '\0';
        return;
    }
    size_t head = (max_chars - 2) / 2, tail = max_chars - 2 - head;
    memcpy(out, ascii, head);
    memcpy(out + head, "..", 2);
    memcpy(out + head + 2, ascii + length - tail, tail);
    out[max_chars] = '\0';
}
