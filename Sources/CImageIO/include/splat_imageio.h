#ifndef SPLAT_IMAGEIO_H
#define SPLAT_IMAGEIO_H
#include <stddef.h>
#include <stdint.h>
int splat_imageio_version(void);
#endif
