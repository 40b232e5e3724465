#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "sweeps/sampler.h"
#include "sweeps/search/search_method.h"
#include "tests/support/sweep_text.h"

namespace labsweep::sweeps {
namespace {

using labsweep::testing::valid_spec;

SweepSpec tpe_spec(const std::string& parameters, const std::string& goal = "minimize") {
  return valid_spec("method: random\nprogram: t.py\nmetric: {name: loss, goal: " + goal +
                    "}\nlabsweep: {search: tpe}\nparameters:\n" + parameters);
}

std::unique_ptr<SearchMethod> make(const SweepSpec& spec, uint64_t seed) {
  auto method = make_search_method(spec, seed);
  EXPECT_TRUE(method.is_ok());
  return method.is_ok() ? std::move(*method) : nullptr;
}

TrialResult finished(uint64_t index, std::vector<Value> values, std::optional<double> best) {
  return TrialResult{.index = index,
                     .values = std::move(values),
                     .outcome = TrialOutcome::kFinished,
                     .best = best,
                     .latest = best};
}

TrialResult pruned(uint64_t index, std::vector<Value> values, int64_t step, double latest) {
  TrialResult r = finished(index, std::move(values), latest);
  r.last_step = step;
  r.stopped_early = true;
  return r;
}

TrialResult with_outcome(uint64_t index, std::vector<Value> values, TrialOutcome outcome) {
  return TrialResult{.index = index, .values = std::move(values), .outcome = outcome};
}

std::vector<Value> one(const char* choice) { return {Value(choice)}; }

const char* const kChoices = "  p: {values: [a, b, c]}\n";

TEST(TpeSearchTest, IsRegisteredAndLearns) {
  SweepSpec spec = tpe_spec(kChoices);
  auto method = make(spec, 1);
  ASSERT_TRUE(method);
  EXPECT_TRUE(method->learns());
  EXPECT_EQ(method->size(), std::nullopt);
}

TEST(TpeSearchTest, FirstTenSuggestionsAreRandomSearchs) {
  SweepSpec spec = tpe_spec("  x: {min: 0.0, max: 1.0}\n  n: {min: 1, max: 9}\n");
  auto method = make(spec, 77);
  for (uint64_t i = 0; i < 10; ++i) {
    auto s = method->next();
    ASSERT_TRUE(s);
    EXPECT_EQ(s->index, i);
    EXPECT_EQ(s->values, sample_parameters(spec.parameters, 77, i));
    method->observe(finished(i, s->values, s->values[1].as_number()));
  }
  auto s = method->next();
  ASSERT_TRUE(s);
  EXPECT_NE(s->values, sample_parameters(spec.parameters, 77, 10));
}

// Ten results where the single best (gamma(10) = 1) chose c and all others chose a: l puts
// 0.47 on c, g next to nothing, so c wins whichever draws are made.
void observe_c_best(SearchMethod& method, Goal goal = Goal::kMinimize) {
  double sign = goal == Goal::kMinimize ? 1 : -1;
  method.observe(finished(0, one("c"), sign * 0.0));
  for (uint64_t i = 1; i < 10; ++i) method.observe(finished(i, one("a"), sign * double(i)));
}

TEST(TpeSearchTest, TheBestTrialsShapeTheSuggestion) {
  SweepSpec spec = tpe_spec(kChoices);
  auto method = make(spec, 3);
  observe_c_best(*method);
  EXPECT_EQ(method->next()->values, one("c"));

  SweepSpec maximize = tpe_spec(kChoices, "maximize");
  auto other = make(maximize, 3);
  observe_c_best(*other, Goal::kMaximize);
  EXPECT_EQ(other->next()->values, one("c"));
}

TEST(TpeSearchTest, CompletedTrialsRankBeforePrunedOnes) {
  // A trial stopped early at a much better value still ranks after every completed one.
  SweepSpec spec = tpe_spec(kChoices);
  auto method = make(spec, 3);
  method->observe(pruned(0, one("b"), 4, -100.0));
  method->observe(finished(1, one("c"), 50.0));
  for (uint64_t i = 2; i < 10; ++i) method->observe(finished(i, one("a"), 60.0 + double(i)));
  EXPECT_EQ(method->next()->values, one("c"));
}

TEST(TpeSearchTest, PrunedTrialsRankByDepthThenValue) {
  SweepSpec spec = tpe_spec(kChoices);
  auto method = make(spec, 3);
  method->observe(pruned(0, one("c"), 9, 100.0));  // deepest: the best, whatever its value
  for (uint64_t i = 1; i < 9; ++i) method->observe(pruned(i, one("a"), 2, double(i)));
  method->observe(pruned(9, one("b"), 2, -1.0));
  EXPECT_EQ(method->next()->values, one("c"));

  auto shallow = make(spec, 3);
  shallow->observe(pruned(0, one("c"), 1, 100.0));
  for (uint64_t i = 1; i < 9; ++i) shallow->observe(pruned(i, one("a"), 2, double(i)));
  shallow->observe(pruned(9, one("b"), 2, -1.0));  // among the deepest, the best value
  EXPECT_EQ(shallow->next()->values, one("b"));
}

TEST(TpeSearchTest, RunningTrialsCountAsTheWorst) {
  // Constant liar: twenty trials still running on c make c common in the above group, so b
  // (rare in both groups) wins instead. Ended as failed, they are forgotten again.
  SweepSpec spec = tpe_spec(kChoices);
  auto method = make(spec, 3);
  observe_c_best(*method);
  for (uint64_t i = 10; i < 30; ++i) {
    method->mark_used(i);
    method->observe(with_outcome(i, one("c"), TrialOutcome::kRunning));
  }
  EXPECT_EQ(method->next()->values, one("b"));
  for (uint64_t i = 10; i < 30; ++i) {
    method->observe(with_outcome(i, one("c"), TrialOutcome::kFailed));
  }
  EXPECT_EQ(method->next()->values, one("c"));
}

TEST(TpeSearchTest, SuggestionsCountAsRunningUntilObserved) {
  SweepSpec spec = tpe_spec(kChoices);
  auto method = make(spec, 3);
  observe_c_best(*method);
  std::vector<Value> seen;
  for (int i = 0; i < 40; ++i) seen.push_back(method->next()->values[0]);
  EXPECT_EQ(seen.front(), Value("c"));
  EXPECT_NE(std::find(seen.begin(), seen.end(), Value("b")), seen.end());
}

TEST(TpeSearchTest, FailedAndValuelessTrialsAreIgnored) {
  SweepSpec spec = tpe_spec("  x: {min: 0.0, max: 1.0}\n");
  auto method = make(spec, 5);
  for (uint64_t i = 0; i < 10; ++i) {
    auto s = method->next();
    method->observe(i % 2 ? with_outcome(i, s->values, TrialOutcome::kFailed)
                          : finished(i, s->values, std::nullopt));
  }
  // Still no ranked trial: still drawing as random search does.
  EXPECT_EQ(method->next()->values, sample_parameters(spec.parameters, 5, 10));
}

TEST(TpeSearchTest, MarkUsedSkipsIndexes) {
  SweepSpec spec = tpe_spec("  x: {min: 0.0, max: 1.0}\n");
  auto method = make(spec, 5);
  method->mark_used(0);
  method->mark_used(1);
  auto s = method->next();
  EXPECT_EQ(s->index, 2u);
  EXPECT_EQ(s->values, sample_parameters(spec.parameters, 5, 2));
  // Past the startup trials too; an index some trial was observed with is skipped as well.
  for (uint64_t i = 3; i < 14; ++i) {
    method->observe(finished(i, {Value(0.1 * double(i % 7))}, 1.0));
  }
  method->mark_used(15);
  EXPECT_EQ(method->next()->index, 14u);
  EXPECT_EQ(method->next()->index, 16u);
}

const char* const kEveryDistribution =
    "  cat: {values: [1, two, 3.5, true]}\n"
    "  catp: {values: [x, y, z], probabilities: [0.2, 0.5, 0.3]}\n"
    "  iu: {min: -3, max: 4}\n"
    "  un: {min: -1.5, max: 2.5}\n"
    "  qu: {distribution: q_uniform, min: 0.5, max: 10.0, q: 2}\n"
    "  quf: {distribution: q_uniform, min: 0.0, max: 1.0, q: 0.1}\n"
    "  lu: {distribution: log_uniform, min: -5, max: 0}\n"
    "  luv: {distribution: log_uniform_values, min: 1.0e-5, max: 0.1}\n"
    "  ilu: {distribution: inv_log_uniform, min: 0, max: 3}\n"
    "  iluv: {distribution: inv_log_uniform_values, min: 0.01, max: 10.0}\n"
    "  qlu: {distribution: q_log_uniform, min: 0, max: 5, q: 3}\n"
    "  qluv: {distribution: q_log_uniform_values, min: 16, max: 512, q: 16}\n"
    "  qluz: {distribution: q_log_uniform_values, min: 0.01, max: 10.0, q: 1}\n"
    "  no: {distribution: normal, mu: 1, sigma: 2}\n"
    "  qno: {distribution: q_normal, mu: 0, sigma: 10, q: 5}\n"
    "  ln: {distribution: log_normal, mu: 0, sigma: 1}\n"
    "  qln: {distribution: q_log_normal, mu: 2, sigma: 1, q: 1}\n"
    "  be: {distribution: beta, a: 2, b: 5}\n"
    "  qbe: {distribution: q_beta, a: 2, b: 2, q: 0.25}\n"
    "  k: {value: 7}\n"
    "  opt:\n"
    "    parameters:\n"
    "      name: {value: adam}\n"
    "      beta1: {min: 0.8, max: 0.99}\n";

// Whether v is a value p can take, typed as random search types it.
void expect_valid(const Parameter& p, const Value& v) {
  SCOPED_TRACE(p.name() + " = " + (v.is_number() ? std::to_string(v.as_number()) : "?"));
  if (p.distribution != Distribution::kCategorical) {
    ASSERT_EQ(v.kind(), sample_at(p, 0.5).kind());
  }
  std::optional<double> u = quantile_of(p, v);
  ASSERT_TRUE(u);
  bool discrete = p.distribution == Distribution::kCategorical ||
                  p.distribution == Distribution::kCategoricalWithProbabilities ||
                  p.distribution == Distribution::kIntUniform || is_quantized(p.distribution);
  if (discrete) {
    EXPECT_EQ(sample_at(p, *u), v);
  } else if (v.is_number() && p.distribution != Distribution::kNormal) {
    double first = sample_at(p, 0x1.0p-53).as_number();
    double last = sample_at(p, 1 - 0x1.0p-53).as_number();
    double lo = std::min(first, last);  // the inverse forms decrease with the quantile
    double hi = std::max(first, last);
    EXPECT_GE(v.as_number(), lo - 1e-12 * std::abs(lo));
    EXPECT_LE(v.as_number(), hi + 1e-12 * std::abs(hi));
  }
  if (p.distribution == Distribution::kConstant) {
    EXPECT_EQ(v, p.value);
  }
}

TEST(TpeSearchTest, EveryDistributionDecodesToAValueOfItsParameter) {
  SweepSpec spec = tpe_spec(kEveryDistribution);
  ASSERT_EQ(spec.parameters.size(), 22u);
  size_t un = 0;
  size_t luv = 0;
  for (size_t j = 0; j < spec.parameters.size(); ++j) {
    if (spec.parameters[j].name() == "un") un = j;
    if (spec.parameters[j].name() == "luv") luv = j;
  }
  auto method = make(spec, 11);
  for (uint64_t i = 0; i < 60; ++i) {
    auto s = method->next();
    ASSERT_TRUE(s);
    ASSERT_EQ(s->values.size(), spec.parameters.size());
    for (size_t j = 0; j < spec.parameters.size(); ++j) {
      expect_valid(spec.parameters[j], s->values[j]);
    }
    // Low values of a few parameters are good, so that the model has something to learn.
    double loss = quantile_of(spec.parameters[un], s->values[un]).value_or(1) +
                  quantile_of(spec.parameters[luv], s->values[luv]).value_or(1);
    method->observe(finished(s->index, s->values, loss));
  }
}

std::vector<std::vector<Value>> run(const SweepSpec& spec, uint64_t seed, int trials) {
  auto method = make(spec, seed);
  std::vector<std::vector<Value>> out;
  for (int i = 0; i < trials; ++i) {
    auto s = method->next();
    out.push_back(s->values);
    double loss = 0;
    for (const Value& v : s->values) loss += v.is_number() ? std::sin(v.as_number()) : 0;
    // Every third trial stays running and every seventh fails, as in a live sweep.
    if (i % 3 == 2) continue;
    method->observe(i % 7 == 6 ? with_outcome(s->index, s->values, TrialOutcome::kFailed)
                               : finished(s->index, s->values, loss));
  }
  return out;
}

TEST(TpeSearchTest, ReproducibleFromTheSeedAndTheResults) {
  SweepSpec spec = tpe_spec(kEveryDistribution);
  auto a = run(spec, 21, 40);
  EXPECT_EQ(a, run(spec, 21, 40));
  auto b = run(spec, 22, 40);
  for (int i = 10; i < 40; ++i) EXPECT_NE(a[i], b[i]) << i;
}

TEST(TpeSearchTest, ARestartRebuildsTheSameModel) {
  // The orchestrator's recovery: mark_used for every stored trial, then observe the ended ones
  // in the order they ended and the running ones last.
  SweepSpec spec = tpe_spec("  x: {min: -2.0, max: 2.0}\n  n: {min: 1, max: 50}\n");
  auto live = make(spec, 8);
  std::vector<TrialResult> ended;
  std::vector<TrialResult> running;
  for (uint64_t i = 0; i < 30; ++i) {
    auto s = live->next();
    if (i % 4 == 3) {
      running.push_back(with_outcome(s->index, s->values, TrialOutcome::kRunning));
      continue;
    }
    ended.push_back(finished(s->index, s->values, std::abs(s->values[0].as_number() - 0.5)));
  }
  std::reverse(ended.begin(), ended.end());  // the trials ended in another order than begun
  for (const TrialResult& r : ended) live->observe(r);

  auto restarted = make(spec, 8);
  for (uint64_t i = 0; i < 30; ++i) restarted->mark_used(i);
  for (const TrialResult& r : ended) restarted->observe(r);
  for (const TrialResult& r : running) restarted->observe(r);
  for (int k = 0; k < 5; ++k) {
    auto a = live->next();
    auto b = restarted->next();
    EXPECT_EQ(a->index, b->index);
    EXPECT_EQ(a->values, b->values);
  }
}

double quadratic(const std::vector<Value>& v) {
  double x = v[0].as_number() - 0.37;
  double y = v[1].as_number() + 0.21;
  return x * x + 3 * y * y;
}

double best_after(const SweepSpec& spec, uint64_t seed, int trials) {
  auto method = make(spec, seed);
  double best = INFINITY;
  for (int i = 0; i < trials; ++i) {
    auto s = method->next();
    double f = quadratic(s->values);
    best = std::min(best, f);
    method->observe(finished(s->index, s->values, f));
  }
  return best;
}

TEST(TpeSearchTest, FindsAQuadraticsOptimumFasterThanRandomSearch) {
  std::string parameters = "  x: {min: -2.0, max: 2.0}\n  y: {min: -2.0, max: 2.0}\n";
  SweepSpec tpe = tpe_spec(parameters);
  SweepSpec random = valid_spec("method: random\nprogram: t.py\nparameters:\n" + parameters);
  double tpe_sum = 0;
  double random_sum = 0;
  int wins = 0;
  for (uint64_t seed = 1; seed <= 8; ++seed) {
    double t = best_after(tpe, seed, 60);
    double r = best_after(random, seed, 60);
    tpe_sum += t;
    random_sum += r;
    wins += t < r;
  }
  EXPECT_GE(wins, 6);
  EXPECT_LT(tpe_sum, 0.4 * random_sum);  // about 0.2 with these seeds
}

}  // namespace
}  // namespace labsweep::sweeps
