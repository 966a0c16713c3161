// Clang's thread-safety annotations (-Wthread-safety): which mutex guards a
// member, which functions need it held. Clang checks them at compile time;
// other compilers see empty macros. The names are those of
// https://clang.llvm.org/docs/ThreadSafetyAnalysis.html; each is defined only
// if nothing included before has defined it. Use them through core::Mutex
// (bot/core/mutex.h):
//
//   core::Mutex mu_;
//   int hits_ GUARDED_BY(mu_) = 0;  // read or written only with mu_ held
//   void Bump() REQUIRES(mu_);      // the caller holds mu_
#pragma once

#if !defined(THREAD_ANNOTATION_ATTRIBUTE__)
#if defined(__clang__)
#define THREAD_ANNOTATION_ATTRIBUTE__(x) __attribute__((x))
#else
#define THREAD_ANNOTATION_ATTRIBUTE__(x)  // no-op
#endif
#endif

// On a class: its objects are capabilities (a mutex) that can be held.
#ifndef CAPABILITY
#define CAPABILITY(x) THREAD_ANNOTATION_ATTRIBUTE__(capability(x))
#endif

// On a class: an RAII object that holds a capability for its lifetime.
#ifndef SCOPED_CAPABILITY
#define SCOPED_CAPABILITY THREAD_ANNOTATION_ATTRIBUTE__(scoped_lockable)
#endif

// On a member: read or written only with the capability held.
#ifndef GUARDED_BY
#define GUARDED_BY(x) THREAD_ANNOTATION_ATTRIBUTE__(guarded_by(x))
#endif

// On a pointer member: what it points to is guarded (the pointer is not).
#ifndef PT_GUARDED_BY
#define PT_GUARDED_BY(x) THREAD_ANNOTATION_ATTRIBUTE__(pt_guarded_by(x))
#endif

// On a mutex: the order in which mutexes may be taken together.
#ifndef ACQUIRED_BEFORE
#define ACQUIRED_BEFORE(...) \
  THREAD_ANNOTATION_ATTRIBUTE__(acquired_before(__VA_ARGS__))
#endif
#ifndef ACQUIRED_AFTER
#define ACQUIRED_AFTER(...) \
  THREAD_ANNOTATION_ATTRIBUTE__(acquired_after(__VA_ARGS__))
#endif

// On a function: the caller holds the capability (leveldb's
// EXCLUSIVE_LOCKS_REQUIRED).
#ifndef REQUIRES
#define REQUIRES(...) \
  THREAD_ANNOTATION_ATTRIBUTE__(requires_capability(__VA_ARGS__))
#endif

// On a function: the caller must not hold the capability (it takes it).
#ifndef EXCLUDES
#define EXCLUDES(...) THREAD_ANNOTATION_ATTRIBUTE__(locks_excluded(__VA_ARGS__))
#endif

// On a function: it acquires / releases the capability (with no argument:
// `this`, or the one a scoped object holds).
#ifndef ACQUIRE
#define ACQUIRE(...) \
  THREAD_ANNOTATION_ATTRIBUTE__(acquire_capability(__VA_ARGS__))
#endif
#ifndef RELEASE
#define RELEASE(...) \
  THREAD_ANNOTATION_ATTRIBUTE__(release_capability(__VA_ARGS__))
#endif

// On a function: it returns only if the capability is held (checked at run
// time, or not at all); from there on the analysis assumes it is.
#ifndef ASSERT_CAPABILITY
#define ASSERT_CAPABILITY(x) THREAD_ANNOTATION_ATTRIBUTE__(assert_capability(x))
#endif

// On a function: not analysed. For code the analysis cannot follow (a lock
// handed to the standard library); say why where it is used.
#ifndef NO_THREAD_SAFETY_ANALYSIS
#define NO_THREAD_SAFETY_ANALYSIS \
  THREAD_ANNOTATION_ATTRIBUTE__(no_thread_safety_analysis)
#endif
