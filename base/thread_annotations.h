#pragma once

// Clang's thread-safety attributes (checked with -Wthread-safety; other compilers ignore
// them). `GUARDED_BY(mu_)` on a member, `REQUIRES(mu_)` on a function that must be called with
// the lock held, `EXCLUDES(mu_)` on one that takes it. See base/mutex.h for the annotated lock.

#if defined(__clang__)
#define LABSWEEP_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define LABSWEEP_THREAD_ANNOTATION(x)
#endif

#define CAPABILITY(name) LABSWEEP_THREAD_ANNOTATION(capability(name))
#define SCOPED_CAPABILITY LABSWEEP_THREAD_ANNOTATION(scoped_lockable)
#define GUARDED_BY(mu) LABSWEEP_THREAD_ANNOTATION(guarded_by(mu))
#define PT_GUARDED_BY(mu) LABSWEEP_THREAD_ANNOTATION(pt_guarded_by(mu))
#define REQUIRES(...) LABSWEEP_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define ACQUIRE(...) LABSWEEP_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define RELEASE(...) LABSWEEP_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define EXCLUDES(...) LABSWEEP_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define NO_THREAD_SAFETY_ANALYSIS LABSWEEP_THREAD_ANNOTATION(no_thread_safety_analysis)
