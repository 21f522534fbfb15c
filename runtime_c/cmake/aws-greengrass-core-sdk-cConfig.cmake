# CMake package config for gglift's Greengrass Core SDK for C runtime, so that AWS's documented
#   find_package(aws-greengrass-core-sdk-c REQUIRED)
#   target_link_libraries(handler aws-greengrass-core-sdk-c)
# builds against gglift. It lives in <prefix>/lib/cmake/aws-greengrass-core-sdk-c/ both where
# `make -C runtime_c install` puts it and in gglift's wheel (prefix: `gglift native --prefix`),
# and finds the library and header relative to itself, so either tree can be moved.

get_filename_component(_gglift_sdk_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
set(_gglift_sdk_library "${_gglift_sdk_prefix}/lib/libaws-greengrass-core-sdk-c.so")
set(_gglift_sdk_include "${_gglift_sdk_prefix}/include")

if(NOT EXISTS "${_gglift_sdk_library}" OR NOT EXISTS "${_gglift_sdk_include}/greengrasssdk.h")
  set(aws-greengrass-core-sdk-c_FOUND FALSE)
  set(aws-greengrass-core-sdk-c_NOT_FOUND_MESSAGE
      "${_gglift_sdk_library} or ${_gglift_sdk_include}/greengrasssdk.h is missing: reinstall gglift")
  return()
endif()

# The target has the name AWS's own export gives it (no namespace), as its examples link it.
if(NOT TARGET aws-greengrass-core-sdk-c)
  add_library(aws-greengrass-core-sdk-c SHARED IMPORTED)
  set_target_properties(aws-greengrass-core-sdk-c PROPERTIES
    IMPORTED_LOCATION "${_gglift_sdk_library}"
    IMPORTED_SONAME "libaws-greengrass-core-sdk-c.so"
    INTERFACE_INCLUDE_DIRECTORIES "${_gglift_sdk_include}")
endif()

set(aws-greengrass-core-sdk-c_INCLUDE_DIRS "${_gglift_sdk_include}")
set(aws-greengrass-core-sdk-c_LIBRARIES aws-greengrass-core-sdk-c)
unset(_gglift_sdk_prefix)
unset(_gglift_sdk_library)
unset(_gglift_sdk_include)
