#!/bin/sh
# Check the library's ABI: its SONAME and the symbol version node of every exported function,
# as executables built against the Greengrass Core SDK for C require them.
set -eu
lib=$1
fail=0
soname=$(readelf -d "$lib" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
[ "$soname" = "libaws-greengrass-core-sdk-c.so" ] || { echo "wrong SONAME: $soname"; fail=1; }
expect() {
  node=$1; shift
  for sym in "$@"; do
    readelf --dyn-syms -W "$lib" | grep -q " $sym@@$node\$" || { echo "missing $sym@@$node"; fail=1; }
  done
}
expect aws_greengrass_core_sdk_c_1.0 gg_global_init gg_log gg_request_init gg_request_close \
  gg_request_read gg_runtime_start gg_lambda_handler_read gg_lambda_handler_write_response \
  gg_lambda_handler_write_error gg_invoke gg_publish gg_get_thing_shadow gg_update_thing_shadow \
  gg_delete_thing_shadow
expect aws_greengrass_core_sdk_c_1.1 gg_get_secret_value
expect aws_greengrass_core_sdk_c_1.2 gg_publish_options_init gg_publish_options_free \
  gg_publish_options_set_queue_full_policy gg_publish_with_options
# Nothing else leaks out: 19 functions plus the three version node definitions.
count=$(readelf --dyn-syms -W "$lib" | awk '$5 == "GLOBAL" && $7 != "UND"' | wc -l)
[ "$count" -eq 22 ] || { echo "unexpected exported symbols ($count):"; readelf --dyn-syms -W "$lib"; fail=1; }
[ $fail -eq 0 ] && echo "ABI of $lib: ok"
exit $fail
