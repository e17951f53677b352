/* empty.c - placeholder source for a module library that has no sources yet. */
typedef int fp_empty_translation_unit;
