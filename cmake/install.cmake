# What `cmake --install` installs besides the binary and the built-in scenarios (cli/): the static
# libraries and public headers (fp_library, cmake/fpsim.cmake), a CMake package config
# (find_package(fpsim): targets fpsim::fpsim_profile ... fpsim::fpsim_reports and the umbrella
# fpsim::fpsim), a pkg-config file (pkg-config --cflags --libs fpsim), the man page generated from
# the help texts with help2man (when found), bash and zsh completion, and the LICENSE.
include(CMakePackageConfigHelpers)

set(FP_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/fpsim)
install(FILES ${CMAKE_BINARY_DIR}/generated/fp_version.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/fpsim)
install(EXPORT fpsimTargets NAMESPACE fpsim:: DESTINATION ${FP_CMAKE_DIR})
configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/fpsimConfig.cmake.in
  ${CMAKE_BINARY_DIR}/generated/fpsimConfig.cmake INSTALL_DESTINATION ${FP_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_BINARY_DIR}/generated/fpsimConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/generated/fpsimConfig.cmake
  ${CMAKE_BINARY_DIR}/generated/fpsimConfigVersion.cmake DESTINATION ${FP_CMAKE_DIR})

# pkg-config: relocatable (the prefix is found from the .pc file's own place)
file(RELATIVE_PATH FP_PC_UP "/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/")
string(REGEX REPLACE "/$" "" FP_PC_UP "${FP_PC_UP}")
configure_file(${CMAKE_SOURCE_DIR}/cmake/fpsim.pc.in ${CMAKE_BINARY_DIR}/generated/fpsim.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/generated/fpsim.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# the man page, from `fpsim --help` and `fpsim --version` (Debian package help2man)
find_program(HELP2MAN help2man)
if(HELP2MAN)
  set(FP_MAN ${CMAKE_BINARY_DIR}/fpsim.1)
  add_custom_command(OUTPUT ${FP_MAN}
    COMMAND ${HELP2MAN} --no-info --section=1
      "--name=simulate, analyse and compare profiling runs of multi-step pipelines"
      --include=${CMAKE_SOURCE_DIR}/cmake/fpsim.h2m --output=${FP_MAN} $<TARGET_FILE:fpsim>
    DEPENDS fpsim ${CMAKE_SOURCE_DIR}/cmake/fpsim.h2m
    COMMENT "Generating the man page fpsim.1 with help2man" VERBATIM)
  add_custom_target(fpsim_man ALL DEPENDS ${FP_MAN})
  install(FILES ${FP_MAN} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
else()
  message(STATUS "help2man not found: no man page (scripts/bootstrap.sh installs it)")
endif()

install(FILES ${CMAKE_SOURCE_DIR}/completions/fpsim.bash
  DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME fpsim)
install(FILES ${CMAKE_SOURCE_DIR}/completions/_fpsim
  DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/site-functions)
install(FILES ${CMAKE_SOURCE_DIR}/LICENSE ${CMAKE_SOURCE_DIR}/README.md
  DESTINATION ${CMAKE_INSTALL_DOCDIR})
