# CMake toolchain: cross-builds 64-bit Windows programs on Debian with mingw-w64
# (the -posix compilers: RocksDB needs std::thread), statically linked, and runs
# them under Wine for CTest. tools/build-windows uses it for the dependencies too:
# bump its `recipe` when a change here changes how they are compiled.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

set(TIDEMARK_MINGW_HOST x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${TIDEMARK_MINGW_HOST}-gcc-posix)
set(CMAKE_CXX_COMPILER ${TIDEMARK_MINGW_HOST}-g++-posix)
set(CMAKE_RC_COMPILER ${TIDEMARK_MINGW_HOST}-windres)

# Libraries, headers and CMake packages come only from the mingw sysroot and
# from the cross-built dependency prefix(es) given in CMAKE_PREFIX_PATH (or
# $TIDEMARK_WINDOWS_PREFIX); programs (capnp, the code generators) from the host.
set(CMAKE_FIND_ROOT_PATH /usr/${TIDEMARK_MINGW_HOST})
if(DEFINED ENV{TIDEMARK_WINDOWS_PREFIX})
  list(APPEND CMAKE_PREFIX_PATH $ENV{TIDEMARK_WINDOWS_PREFIX})
endif()
list(APPEND CMAKE_FIND_ROOT_PATH ${CMAKE_PREFIX_PATH})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
set(CMAKE_TRY_COMPILE_PLATFORM_VARIABLES CMAKE_PREFIX_PATH)

# Self-contained executables: libstdc++, libgcc and winpthread linked in, so an
# .exe needs only the system DLLs.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-static")
set(CMAKE_MODULE_LINKER_FLAGS_INIT "-static")

# CTest (add_test, gtest_discover_tests) runs the .exe files under the 64-bit
# Wine loader, quietly; a WINEPREFIX set at configure time is kept, else Wine's
# default prefix (or the WINEPREFIX of the test run) is used.
find_program(TIDEMARK_WINE64 NAMES wine64 PATHS /usr/lib/wine NO_CMAKE_FIND_ROOT_PATH)
if(TIDEMARK_WINE64)
  set(CMAKE_CROSSCOMPILING_EMULATOR /usr/bin/env WINEDEBUG=-all WINELOADER=${TIDEMARK_WINE64})
  if(DEFINED ENV{WINEPREFIX})
    list(APPEND CMAKE_CROSSCOMPILING_EMULATOR WINEPREFIX=$ENV{WINEPREFIX})
  endif()
  list(APPEND CMAKE_CROSSCOMPILING_EMULATOR ${TIDEMARK_WINE64})
endif()
