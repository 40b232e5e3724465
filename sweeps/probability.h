#pragma once

// Cumulative distribution functions and their inverses (percent-point functions) for the
// distributions of sweep parameters, as scipy.stats defines them. A quantile outside (0, 1)
// is clamped into it, and sigma < 0 is read as 0, so that no input yields NaN.

namespace labsweep::sweeps::probability {

double normal_cdf(double x, double mu, double sigma);
double normal_ppf(double u, double mu, double sigma);

// scipy's lognorm(s=sigma, scale=exp(mu)): the distribution of exp(N(mu, sigma)).
double lognormal_cdf(double x, double mu, double sigma);
double lognormal_ppf(double u, double mu, double sigma);

// The regularized incomplete beta function I_x(a, b) and its inverse. a == 0 (with b > 0) is a
// point mass at 0, b == 0 (with a > 0) one at 1, and a == b == 0 one at 0.5.
double beta_cdf(double x, double a, double b);
double beta_ppf(double u, double a, double b);

// numpy.round: halves go to the even neighbour (0.5 -> 0, 1.5 -> 2, 2.5 -> 2).
double round_half_even(double x);

}  // namespace labsweep::sweeps::probability
