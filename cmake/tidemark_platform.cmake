# Which sources a platform builds: `*_win32.cc` (and `*_win32_test.cc`) only
# on Windows, `*_posix.cc` (and `*_posix_test.cc`) only elsewhere (Linux). Every folder's CMakeLists filters its glob through
# tidemark_platform_sources() so the rule lives in one place.

# Removes from the list variable VAR the sources of the other platform.
function(tidemark_platform_sources var)
  set(srcs ${${var}})
  if(WIN32)
    list(FILTER srcs EXCLUDE REGEX "_posix(_test)?\\.cc$")
  else()
    list(FILTER srcs EXCLUDE REGEX "_win32(_test)?\\.cc$")
  endif()
  set(${var} ${srcs} PARENT_SCOPE)
endfunction()
