// JPEG decode through libjpeg(-turbo). Its default error_exit calls exit() and its warnings go to
// stderr, so we install an error manager that formats the message and longjmps back here.
#include "splat_imageio.h"
#include "imageio_common.h"
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>
#include <jerror.h>

typedef struct {
    struct jpeg_error_mgr base;  // must be first: libjpeg hands us a pointer to it
    jmp_buf jump;
    char *msg;
    size_t msg_size;
} jpeg_error_state;

static void report_and_jump(j_common_ptr cinfo) {
    jpeg_error_state *e = (jpeg_error_state *)cinfo->err;
    char text[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, text);
    splat_set_message(e->msg, e->msg_size, "JPEG: %s", text);
    longjmp(e->jump, 1);
}

// A warning means libjpeg made up data (e.g. gray rows after a truncated file): treat it as an
// error, except for stray bytes between markers, which lose nothing.
static void on_jpeg_message(j_common_ptr cinfo, int level) {
    if (level < 0 && cinfo->err->msg_code != JWRN_EXTRANEOUS_DATA) report_and_jump(cinfo);
}

static void silent_output(j_common_ptr cinfo) { (void)cinfo; }

static void install_error_manager(struct jpeg_decompress_struct *cinfo, jpeg_error_state *err,
                                  char *msg, size_t msg_size) {
    cinfo->err = jpeg_std_error(&err->base);
    err->base.error_exit = report_and_jump;
    err->base.emit_message = on_jpeg_message;
    err->base.output_message = silent_output;
    err->msg = msg;
    err->msg_size = msg_size;
}

static int check_size(struct jpeg_decompress_struct *cinfo, char *msg, size_t msg_size) {
    JDIMENSION w = cinfo->image_width, h = cinfo->image_height;
    if (w == 0 || h == 0 || w > SPLAT_IMAGEIO_MAX_SIDE || h > SPLAT_IMAGEIO_MAX_SIDE ||
        (long long)w * (long long)h > SPLAT_IMAGEIO_MAX_PIXELS) {
        splat_set_message(msg, msg_size, "JPEG: image size %ux%u is not allowed (max %d per side, 2^28 pixels)",
                          (unsigned)w, (unsigned)h, SPLAT_IMAGEIO_MAX_SIDE);
        return SPLAT_IMAGEIO_TOO_LARGE;
    }
    if (cinfo->num_components != 1 && cinfo->num_components != 3) {
        splat_set_message(msg, msg_size, "JPEG: %d colour components (CMYK?) are not supported", cinfo->num_components);
        return SPLAT_IMAGEIO_UNSUPPORTED;
    }
    return SPLAT_IMAGEIO_OK;
}

int splat_jpeg_read_header(const uint8_t *data, size_t size, int32_t *width, int32_t *height,
                           int32_t *channels, char *msg, size_t msg_size) {
    *width = 0; *height = 0; *channels = 0;
    if (size < 3 || data[0] != 0xFF || data[1] != 0xD8) {
        splat_set_message(msg, msg_size, "not a JPEG file");
        return SPLAT_IMAGEIO_CORRUPT;
    }
    struct jpeg_decompress_struct cinfo;
    jpeg_error_state err;
    install_error_manager(&cinfo, &err, msg, msg_size);
    if (setjmp(err.jump)) {
        jpeg_destroy_decompress(&cinfo);
        return SPLAT_IMAGEIO_CORRUPT;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);
    int status = check_size(&cinfo, msg, msg_size);
    *width = (int32_t)cinfo.image_width;
    *height = (int32_t)cinfo.image_height;
    *channels = cinfo.num_components == 1 ? 1 : 3;
    jpeg_destroy_decompress(&cinfo);
    return status;
}

int splat_jpeg_decode(const uint8_t *data, size_t size, splat_image *out, char *msg, size_t msg_size) {
    memset(out, 0, sizeof(*out));
    if (size < 3 || data[0] != 0xFF || data[1] != 0xD8) {
        splat_set_message(msg, msg_size, "not a JPEG file");
        return SPLAT_IMAGEIO_CORRUPT;
    }
    struct jpeg_decompress_struct cinfo;
    jpeg_error_state err;
    uint8_t *volatile pixels = NULL;  // volatile: assigned after setjmp, freed after longjmp
    install_error_manager(&cinfo, &err, msg, msg_size);
    if (setjmp(err.jump)) {
        free(pixels);
        jpeg_destroy_decompress(&cinfo);
        return SPLAT_IMAGEIO_CORRUPT;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);
    int status = check_size(&cinfo, msg, msg_size);
    if (status != SPLAT_IMAGEIO_OK) { jpeg_destroy_decompress(&cinfo); return status; }
    cinfo.out_color_space = cinfo.num_components == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_start_decompress(&cinfo);
    int channels = cinfo.output_components;
    size_t stride = (size_t)cinfo.output_width * (size_t)channels;
    pixels = (uint8_t *)malloc(stride * cinfo.output_height);
    if (!pixels) {
        jpeg_destroy_decompress(&cinfo);
        splat_set_message(msg, msg_size, "out of memory");
        return SPLAT_IMAGEIO_NO_MEMORY;
    }
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW row = pixels + stride * cinfo.output_scanline;
        jpeg_read_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_decompress(&cinfo);
    out->width = (int32_t)cinfo.output_width;
    out->height = (int32_t)cinfo.output_height;
    out->channels = channels;
    out->pixels = pixels;
    jpeg_destroy_decompress(&cinfo);
    return SPLAT_IMAGEIO_OK;
}
