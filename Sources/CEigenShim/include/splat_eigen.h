#ifndef SPLAT_EIGEN_H
#define SPLAT_EIGEN_H
#ifdef __cplusplus
extern "C" {
#endif
int splat_eigen_version(void);
#ifdef __cplusplus
}
#endif
#endif
