/* A normal small C file with nothing planted: its compile must not be judged "poor". */
#include <stdio.h>
#include <string.h>

static int count_words(const char *s)
{
    int n = 0, in = 0;
    for (; *s; s++) {
        if (*s == ' ')
            in = 0;
        else if (!in) {
            in = 1;
            n++;
        }
    }
    return n;
}

int main(int argc, char **argv)
{
    printf("%d\n", count_words(argc > 1 ? argv[1] : "a b c"));
    return (int)strlen("x") - 1;
}
