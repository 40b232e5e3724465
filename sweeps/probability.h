#pragma once

// The continuous distributions of W&B's sweep schema, defined as scipy.stats defines them: the
// sampler draws ppf(U) with U ~ Uniform(0, 1), and Bayesian search maps observations onto [0, 1]
// with the cdf. Pure functions of doubles, thread-safe.
//
// Out-of-domain arguments are clamped, never an error: u into the open interval (0, 1) (u = 0
// and u = 1 give the most extreme finite quantiles, a NaN u reads as 1/2), and a negative sigma,
// a or b to 0. Any other NaN argument gives NaN.

namespace labsweep::sweeps::probability {

// numpy.round: a half goes to the even neighbour (0.5 -> 0, 1.5 -> 2, 2.5 -> 2, -0.5 -> -0.0),
// whatever the floating-point rounding mode.
double round_half_even(double x);

// Uniform on [lo, hi]; lo >= hi is a point mass at lo.
double uniform_cdf(double x, double lo, double hi);
double uniform_ppf(double u, double lo, double hi);

// Normal(mu, sigma). normal_ppf is Wichura's AS241, relative error below 1e-15 for every u down
// to the smallest subnormal. sigma == 0 is a point mass at mu: the cdf steps from 0 to 1 at mu,
// the ppf is mu.
double normal_cdf(double x, double mu, double sigma);
double normal_ppf(double u, double mu, double sigma);

// exp(Normal(mu, sigma)), scipy's lognorm(s=sigma, scale=exp(mu)). The cdf is 0 for x <= 0;
// sigma == 0 is a point mass at exp(mu).
double lognormal_cdf(double x, double mu, double sigma);
double lognormal_ppf(double u, double mu, double sigma);

// Beta(a, b) on [0, 1]: beta_cdf is the regularized incomplete beta function I_x(a, b). For a, b
// in [1e-3, 1e4] its absolute error is below 2e-13 (where the density is high: the change from
// moving x by an ulp), and beta_ppf inverts it to that error over the density: 1e-14 absolute
// wherever the density exceeds 0.1, and 1e-12 relative near 0.
// Once min(a, b) > 1e9 both use the normal of the same mean and variance. A shape that is 0 or
// infinite makes a point mass, the limit of Beta(a, b) as that shape goes there: a == 0 < b at 0,
// b == 0 < a at 1, a == b == 0 at 0.5 (the mean of the symmetric limit); likewise a infinite (b
// finite) at 1, b infinite (a finite) at 0, and both infinite at 0.5.
double beta_cdf(double x, double a, double b);
double beta_ppf(double u, double a, double b);

}  // namespace labsweep::sweeps::probability
