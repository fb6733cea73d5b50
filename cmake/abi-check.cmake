# ABI layout check (GUIDE §4): test/abi/abi_layout_check.cpp static_asserts that the kernel's user-visible
# structures have the sizes and field offsets of Linux's i386 declarations. It must be compiled for i386, with
# the headers of the i686 cross toolchain (linux-libc-dev-i386-cross; gcc-multilib's -m32 would conflict with
# that compiler), so it runs as a compile-only test: passing means it compiled. Included from the host flavour.
find_program(CADENZA_I686_CXX i686-linux-gnu-g++)
if(CADENZA_I686_CXX)
    add_test(NAME lint.abi_layout
             COMMAND ${CADENZA_I686_CXX} -std=gnu++20 -Ui386 -Wall -Wextra -Werror
                     -I ${PROJECT_SOURCE_DIR}/src -fsyntax-only ${PROJECT_SOURCE_DIR}/test/abi/abi_layout_check.cpp
             WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
else()
    message(STATUS "i686-linux-gnu-g++ not found: lint.abi_layout is not registered")
endif()
