#!/usr/bin/env bash
# The ward tool under valgrind's memcheck, for the valgrind_interop_* tests:
# any invalid access, use of uninitialised memory or definite/indirect leak
# (in the process or in a forked per-connection server child) makes it exit
# 99, which the interop test sees as a failed client or server.
exec valgrind -q --leak-check=full --show-leak-kinds=definite,indirect \
    --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
    "${WARD_REAL:?WARD_REAL: the ward binary to run under valgrind}" "$@"
