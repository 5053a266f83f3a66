#!/usr/bin/env bash
# build/unmark under valgrind's memcheck; any memory error makes it exit 99, which the
# end-to-end tests then see as a wrong exit code. Used by `make check-valgrind`.
here=$(cd "$(dirname "$0")/.." && pwd)
exec valgrind -q --error-exitcode=99 --leak-check=no --trace-children=no \
  --suppressions="$here/tests/valgrind.supp" "${UNMARK_REAL:-$here/build/unmark}" "$@"
