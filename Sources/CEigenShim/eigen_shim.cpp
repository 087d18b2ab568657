#include "splat_eigen.h"
#include <Eigen/Dense>
extern "C" int splat_eigen_version(void) { return EIGEN_WORLD_VERSION; }
