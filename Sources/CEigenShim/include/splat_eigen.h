/* Private C interface to the few dense linear-algebra calls splat needs from Eigen.
 * Plain pointers and sizes only: no Eigen type and no C++ exception crosses this header.
 * All matrices are row-major doubles. Return value: 0 on success, negative on failure
 * (bad arguments or an exception caught inside), never throws. */
#ifndef SPLAT_EIGEN_H
#define SPLAT_EIGEN_H
#ifdef __cplusplus
extern "C" {
#endif

/* Eigen's world version (3 for Eigen 3.x); proves the shim is linked. */
int splat_eigen_version(void);

/* Per-point status written by splat_eigen_triangulate_dlt. */
enum {
    SPLAT_DLT_OK = 0,
    SPLAT_DLT_DEGENERATE = 1, /* homogeneous w ~ 0 (point at infinity) or non-finite input */
};

/* Batched two-view linear (DLT) triangulation.
 * For each i < n: P1 = p1 + i*matrix_stride, P2 = p2 + i*matrix_stride (3x4 each, row-major;
 * matrix_stride 12 gives one pair of matrices per point, 0 shares one pair for all points),
 * pixels x1[2i..2i+1], x2[2i..2i+1]. Builds the 4x4 system
 *   x*P[2] - P[0], y*P[2] - P[1] for both views, each row scaled to unit length,
 * takes the right singular vector of the smallest singular value and writes the
 * dehomogenised point to out_points[3i..3i+2] and a status to out_status[i].
 * Depth sign, reprojection error and ray angle are left to the caller. */
int splat_eigen_triangulate_dlt(long n, const double *p1, const double *p2, long matrix_stride,
                                const double *x1, const double *x2,
                                double *out_points, int *out_status);

#ifdef __cplusplus
}
#endif
#endif
