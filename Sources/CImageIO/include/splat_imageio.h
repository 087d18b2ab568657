#ifndef SPLAT_IMAGEIO_H
#define SPLAT_IMAGEIO_H
// Private C shim over libpng and libjpeg for SplatIO. Not a stable API: only SplatIO calls it.
// Every function returns SPLAT_IMAGEIO_OK (0) or an error code, and on error writes a one-line
// message (NUL-terminated, truncated to msg_size) into msg. Library errors never abort the
// process and nothing is printed to stderr.
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
    SPLAT_IMAGEIO_OK = 0,
    SPLAT_IMAGEIO_CORRUPT = 1,     // the library rejected the data
    SPLAT_IMAGEIO_TOO_LARGE = 2,   // > 32768 per side or > 2^28 pixels
    SPLAT_IMAGEIO_UNSUPPORTED = 3, // valid file, layout we do not handle (e.g. CMYK JPEG)
    SPLAT_IMAGEIO_NO_MEMORY = 4,
};

#define SPLAT_IMAGEIO_MAX_SIDE 32768
#define SPLAT_IMAGEIO_MAX_PIXELS (1LL << 28)

/// A decoded 8-bit image, rows top to bottom, channels interleaved (1 gray, 2 gray+alpha,
/// 3 RGB, 4 RGBA). `pixels` is malloc'ed by the decoder; release it with splat_imageio_free.
typedef struct {
    int32_t width, height, channels;
    uint8_t *pixels;
} splat_image;

/// PNG of any bit depth and colour type to 8 bits per channel; palette becomes RGB, tRNS
/// becomes an alpha channel, 16-bit samples are scaled with rounding (v * 255 / 65535).
int splat_png_decode(const uint8_t *data, size_t size, splat_image *out, char *msg, size_t msg_size);

/// Baseline or progressive JPEG to 8-bit gray (1 channel) or RGB (3 channels). Data the
/// library can only recover from with a warning (e.g. a truncated file) is an error.
int splat_jpeg_decode(const uint8_t *data, size_t size, splat_image *out, char *msg, size_t msg_size);

/// Width, height and channel count of a JPEG from its header, without decoding the pixels.
int splat_jpeg_read_header(const uint8_t *data, size_t size, int32_t *width, int32_t *height,
                           int32_t *channels, char *msg, size_t msg_size);

/// 8-bit PNG (1 to 4 channels) into a malloc'ed buffer; release it with splat_imageio_free.
int splat_png_encode(const uint8_t *pixels, int32_t width, int32_t height, int32_t channels,
                     uint8_t **out, size_t *out_size, char *msg, size_t msg_size);

void splat_imageio_free(void *pointer);

#ifdef __cplusplus
}
#endif
#endif
