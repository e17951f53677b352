# Shared build helpers: warnings and sanitizers applied to fpsim's own targets only.
function(fp_target_warnings tgt)
  target_compile_options(${tgt} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2
    -Wcast-qual -Wwrite-strings -Wundef -Wdouble-promotion -Wvla)
  if(FP_WERROR)
    target_compile_options(${tgt} PRIVATE -Werror)
  endif()
endfunction()

if(FP_SANITIZE STREQUAL "thread")
  # ThreadSanitizer, for the threaded code (validate --jobs). GSL, libyaml and cJSON are not
  # instrumented: TSan then misses races inside them but reports none of its own.
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
elseif(FP_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()

if(FP_FUZZ)
  # coverage instrumentation for every target, so libFuzzer sees the library code; a UBSan report
  # stops the campaign as a crash does, so libFuzzer saves the input (it only printed one before)
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()

# fp_library(NAME DIR deps...): one static library per source directory, sources globbed so that
# adding a .c file needs no CMake edit.
function(fp_library name)
  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.c)
  if(NOT srcs)
    # A module with no sources yet: an empty library keeps the build graph intact.
    set(srcs ${CMAKE_SOURCE_DIR}/cmake/empty.c)
  endif()
  add_library(${name} STATIC ${srcs})
  target_include_directories(${name} PUBLIC
    $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}> $<BUILD_INTERFACE:${CMAKE_BINARY_DIR}/generated>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/fpsim>)
  # installed: the library (export set fpsimTargets, cmake/install.cmake) and its public headers
  # (every .h of the directory but *_internal.h) in include/fpsim/
  install(TARGETS ${name} EXPORT fpsimTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
  file(GLOB hdrs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.h)
  list(FILTER hdrs EXCLUDE REGEX "_internal\\.h$")
  install(FILES ${hdrs} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/fpsim)
  target_compile_definitions(${name} PRIVATE _POSIX_C_SOURCE=200809L)
  fp_target_warnings(${name})
  if(ARGN)
    target_link_libraries(${name} PUBLIC ${ARGN})
  endif()
endfunction()
