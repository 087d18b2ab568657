#ifndef SPLAT_IMAGEIO_COMMON_H
#define SPLAT_IMAGEIO_COMMON_H
// Internal helpers shared by the PNG and JPEG codecs (not exported to Swift).
#include <stdarg.h>
#include <stdio.h>

typedef struct {
    char *msg;
    size_t msg_size;
} splat_message;

static inline void splat_set_message(char *msg, size_t msg_size, const char *format, ...) {
    if (!msg || msg_size == 0) return;
    va_list args;
    va_start(args, format);
    vsnprintf(msg, msg_size, format, args);
    va_end(args);
}
#endif
