#include "splat_imageio.h"
int splat_imageio_version(void) { return 1; }
