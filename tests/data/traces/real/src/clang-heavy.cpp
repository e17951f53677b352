// Planted problems (the truth of clang-heavy.trace.json, see clang-heavy.truth.txt):
//  - heavy header: "heavy_header.h" (includes <regex> and evaluates a large constant expression at
//    namespace scope): the costliest Source;
//  - expensive template instantiation: `planted_kernel<int>` (a T-dependent constant expression).
#include "heavy_header.h"

int main(int argc, char **argv)
{
    std::regex re(argc > 1 ? argv[1] : "a+b*");
    std::map<int, std::string> m;
    m[1] = "x";
    std::vector<int> v{3, 1, 2};
    std::sort(v.begin(), v.end());
    return (int)(std::regex_match("aab", re) + heavy_sum(v) + planted_kernel<int>() % 7 + m.size());
}
