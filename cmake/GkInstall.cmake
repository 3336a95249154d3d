# Install rules and package files (DESIGN §14): public headers, the shared library (with
# SONAME) and the static one, the gk tool, gllm-kernels.pc for pkg-config, and a CMake package
# (find_package(gllm_kernels) → gllm_kernels::gllm_kernels, gllm_kernels::gllm_kernels_static).
# Included last by the top-level CMakeLists.txt, when every target and its links exist. Both
# package files find the prefix from their own location, so `cmake --install --prefix DIR`
# works for any DIR.
include(CMakePackageConfigHelpers)

set(GK_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/gllm_kernels)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/gk DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.h")
install(TARGETS gllm_kernels gllm_kernels_static EXPORT gllm_kernelsTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
if(TARGET gk)
  # The tool links the shared library: find it relative to itself in any prefix.
  set_target_properties(gk PROPERTIES INSTALL_RPATH "$ORIGIN/../${CMAKE_INSTALL_LIBDIR}")
  install(TARGETS gk RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

# The libraries' link dependencies, read from the targets (whoever adds one, e.g. Zydis for the
# JIT, needs no edit here unless it is new to the table below): Libs.private for static linking
# with pkg-config, find_dependency() calls for the CMake package.
set(GK_PC_LIBS_PRIVATE "")
set(GK_CONFIG_DEPENDENCIES "")
set(gk_deps "")
foreach(t gk_obj gllm_kernels gllm_kernels_static)
  foreach(prop LINK_LIBRARIES INTERFACE_LINK_LIBRARIES)
    get_target_property(libs ${t} ${prop})
    if(libs)
      list(APPEND gk_deps ${libs})
    endif()
  endforeach()
endforeach()
list(TRANSFORM gk_deps REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1")
list(REMOVE_DUPLICATES gk_deps)
foreach(dep IN LISTS gk_deps)
  if(dep STREQUAL "Threads::Threads")
    string(APPEND GK_PC_LIBS_PRIVATE " -lpthread")
    string(APPEND GK_CONFIG_DEPENDENCIES "find_dependency(Threads)\n")
  elseif(dep STREQUAL "Zydis::Zydis")
    # Debian's libzydis-dev ships a CMake config but no .pc file, and shared libraries only.
    string(APPEND GK_PC_LIBS_PRIVATE " -lZydis")
    string(APPEND GK_CONFIG_DEPENDENCIES "find_dependency(zydis)\n")
  elseif(dep MATCHES "^[A-Za-z0-9_]+$")
    string(APPEND GK_PC_LIBS_PRIVATE " -l${dep}")
  else()
    message(FATAL_ERROR "cmake/GkInstall.cmake: add '${dep}' to the package dependency table")
  endif()
endforeach()
string(STRIP "${GK_PC_LIBS_PRIVATE}" GK_PC_LIBS_PRIVATE)

# pkg-config: ${pcfiledir} is the installed .pc file's folder, <prefix>/<libdir>/pkgconfig.
file(RELATIVE_PATH GK_PC_PREFIX "/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/")
string(REGEX REPLACE "/$" "" GK_PC_PREFIX "${GK_PC_PREFIX}")
configure_file(${PROJECT_SOURCE_DIR}/cmake/gllm-kernels.pc.in gllm-kernels.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/gllm-kernels.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

install(EXPORT gllm_kernelsTargets NAMESPACE gllm_kernels:: DESTINATION ${GK_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/gllm_kernelsConfig.cmake.in
  gllm_kernelsConfig.cmake INSTALL_DESTINATION ${GK_CMAKE_DIR})
# 0.x: a new minor version may change the API.
write_basic_package_version_file(gllm_kernelsConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/gllm_kernelsConfig.cmake
              ${PROJECT_BINARY_DIR}/gllm_kernelsConfigVersion.cmake
        DESTINATION ${GK_CMAKE_DIR})
