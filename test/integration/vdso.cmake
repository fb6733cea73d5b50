# The vDSO: its dynamic symbols and versions as binutils reads them, and the QEMU program that uses it.
add_test(NAME lint.vdso_exports
    COMMAND Python3::Interpreter ${PROJECT_SOURCE_DIR}/src/arch/i386/vdso/vdso_embed.py --tools
            i686-linux-gnu-readelf i686-linux-gnu-objdump ${CMAKE_BINARY_DIR}/kernel/vdso/vdso.so)
cadenza_program_case(vdso "vdso" --expect "^ok all_exports_with_linux_versions$" --expect "^ok monotonic_interleaved_10000$"
    --expect "^ok settime_followed_at_once$" --expect "^ok write_from_vdso$" --expect "^ok writev_from_vdso$"
    --expect "^ok read_into_vdso_efault$" --expect "^ok after_exec$" --expect "^checks done: 0 not ok"
    --expect "init: .*/vdso exited with status 0" --exit success)
