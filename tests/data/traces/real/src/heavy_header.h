// The planted heavy header of clang-heavy.cpp. It costs the compile about 2-3 s of its own time:
// it pulls in <regex> (the costliest standard header) and evaluates a large constant expression
// (`heavy_table_sum`) at namespace scope, the way generated lookup tables do.
#pragma once
#include <algorithm>
#include <map>
#include <regex>
#include <string>
#include <unordered_map>
#include <vector>

// Work of the two planted constant expressions, in loop iterations (about 1 s per 10^6 with
// clang 14 on the recording machine). Compile with -fconstexpr-steps=100000000.
#ifndef HEAVY_HEADER_STEPS
#define HEAVY_HEADER_STEPS 2500000L
#endif
#ifndef KERNEL_STEPS
#define KERNEL_STEPS 2500000L
#endif

constexpr long heavy_table_sum(long n)
{
    long s = 0;
    for (long i = 0; i < n; i++)
        s += (i * 7) % 13;
    return s;
}
constexpr long kHeavyTable = heavy_table_sum(HEAVY_HEADER_STEPS);

// The planted expensive template: instantiating planted_kernel<T> evaluates a constant expression
// that depends on T, so every instantiation pays for it (about 2-3 s for planted_kernel<int>).
template <class T> constexpr T kernel_sum(long n)
{
    T s = 0;
    for (long i = 0; i < n; i++)
        s += (T)((i * 5) % 11);
    return s;
}
template <class T> T planted_kernel()
{
    constexpr T v = kernel_sum<T>(KERNEL_STEPS);
    return v;
}

inline long heavy_sum(const std::vector<int> &v)
{
    long s = kHeavyTable;
    for (int x : v)
        s += x;
    return s;
}
