// Eigen behind a plain C interface (see include/splat_eigen.h). Every entry point catches
// all exceptions: none may unwind into Swift.
#include "splat_eigen.h"
#include <Eigen/Dense>
#include <cmath>

extern "C" int splat_eigen_version(void) { return EIGEN_WORLD_VERSION; }

namespace {

// One DLT point. Returns SPLAT_DLT_OK or SPLAT_DLT_DEGENERATE.
int triangulateOne(const double *P1, const double *P2, const double *x1, const double *x2, double *out) {
    Eigen::Matrix4d A;
    const double *Ps[2] = {P1, P2};
    const double *xs[2] = {x1, x2};
    for (int v = 0; v < 2; ++v) {
        const double *P = Ps[v];
        for (int k = 0; k < 2; ++k) {
            const double c = xs[v][k];
            for (int j = 0; j < 4; ++j) A(v * 2 + k, j) = c * P[8 + j] - P[k * 4 + j];
            // Unit rows keep both views equally weighted whatever their pixel scale.
            const double norm = A.row(v * 2 + k).norm();
            if (!(norm > 0) || !std::isfinite(norm)) return SPLAT_DLT_DEGENERATE;
            A.row(v * 2 + k) /= norm;
        }
    }
    Eigen::JacobiSVD<Eigen::Matrix4d> svd(A, Eigen::ComputeFullV);
    const Eigen::Vector4d X = svd.matrixV().col(3);
    if (!std::isfinite(X(3)) || std::abs(X(3)) < 1e-12 * X.head<3>().norm() || X(3) == 0)
        return SPLAT_DLT_DEGENERATE;
    for (int k = 0; k < 3; ++k) out[k] = X(k) / X(3);
    if (!std::isfinite(out[0]) || !std::isfinite(out[1]) || !std::isfinite(out[2])) return SPLAT_DLT_DEGENERATE;
    return SPLAT_DLT_OK;
}

} // namespace

extern "C" int splat_eigen_triangulate_dlt(long n, const double *p1, const double *p2, long matrix_stride,
                                           const double *x1, const double *x2,
                                           double *out_points, int *out_status) {
    if (n < 0 || (n > 0 && (!p1 || !p2 || !x1 || !x2 || !out_points || !out_status)) || matrix_stride < 0)
        return -1;
    try {
        for (long i = 0; i < n; ++i) {
            out_points[3 * i] = out_points[3 * i + 1] = out_points[3 * i + 2] = 0;
            out_status[i] = triangulateOne(p1 + i * matrix_stride, p2 + i * matrix_stride,
                                           x1 + 2 * i, x2 + 2 * i, out_points + 3 * i);
        }
        return 0;
    } catch (...) {
        return -2;
    }
}
