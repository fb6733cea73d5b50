# Debian's own dynamically linked i386 programs under glibc's loader (issue 12): tools/fetch-debian-glibc.sh
# downloads bookworm's libc6:i386, coreutils, bash, dash, grep, sed, findutils, mawk, diffutils, gzip, tar,
# procps and their libraries into a cache keyed by their versions and unpacks them into a tree and an
# initramfs; a static launcher runs them.
# Without Debian's package registry the tree cannot be made and the tests are skipped, saying why.
set(CADENZA_GLIBC_CACHE ${PROJECT_SOURCE_DIR}/build/glibc-cache CACHE PATH
    "Where Debian's glibc packages and the trees made from them are kept between builds")
set(GLIBC_TREE ${CADENZA_PROGRAMS}/glibc_tree)
set(GLIBC_UNAVAILABLE ${CADENZA_PROGRAMS}/glibc_tree.unavailable)
# Runs on every build: a few milliseconds when apt's lists have not changed since the tree was made.
add_custom_target(glibc_tree ALL
    COMMAND bash ${PROJECT_SOURCE_DIR}/tools/fetch-debian-glibc.sh --out ${CADENZA_PROGRAMS} ${CADENZA_GLIBC_CACHE}
    COMMENT "Debian's glibc programs for i386 (tools/fetch-debian-glibc.sh, cached)" VERBATIM)

set(GLIBC_NEEDS Python3::Interpreter ${CMAKE_CURRENT_SOURCE_DIR}/needs_file.py ${GLIBC_TREE}.cpio
    ${GLIBC_UNAVAILABLE} --)
add_test(NAME user.glibc
    COMMAND ${GLIBC_NEEDS} ${Python3_EXECUTABLE} ${CADENZA_CASE} --kernel ${CADENZA_KERNEL_ELF} --timeout 150
            "--append=console=ttyS0 quiet init_exit=poweroff" "--module=${GLIBC_TREE}.cpio"
            "--module=${CADENZA_PROGRAMS}/glibc_exec"
            --expect "^ok echo$" --expect "^ok ls_la_root$" --expect "^ok md5sum$" --expect "^ok date_epoch_utc$"
            --expect "^ok bash_loop_pipe$" --expect "^ok sort_parallel_threads$" --expect "^ok ld_linux_runs_true$"
            --expect "^ok ld_linux_list$" --expect "^ok ld_linux_list_vdso$" --expect "^checks done: 0 not ok"
            --expect "init: .*/glibc_exec exited with status 0" --reject "^not ok" --exit success)
set_tests_properties(user.glibc PROPERTIES TIMEOUT 180 SKIP_RETURN_CODE 77)
# The way a user runs one: `./cadenza exec --tree TREE TREE/usr/bin/date ...`.
add_test(NAME exec.glibc_date
    COMMAND ${GLIBC_NEEDS} ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/exec_case.py 0 "^1970-01-01$" --
            ${PROJECT_SOURCE_DIR}/tools/exec.py --kernel ${CADENZA_KERNEL_ELF} --timeout 60 --tree ${GLIBC_TREE}
            ${GLIBC_TREE}/usr/bin/date -u -d @0 +%F)
set_tests_properties(exec.glibc_date PROPERTIES TIMEOUT 90 SKIP_RETURN_CODE 77)
