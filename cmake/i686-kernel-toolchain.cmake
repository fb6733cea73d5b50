# Debian's i686 cross compiler, used freestanding for the kernel flavour.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR i686)
set(CMAKE_CXX_COMPILER i686-linux-gnu-g++)
set(CMAKE_ASM_NASM_COMPILER nasm)
set(CMAKE_OBJCOPY i686-linux-gnu-objcopy)
set(CMAKE_NM i686-linux-gnu-nm)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
