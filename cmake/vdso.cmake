# The vDSO (src/arch/i386/vdso): compiled position-independent with the kernel's cross compiler, linked by its
# own script into a shared object, checked and wrapped by vdso_embed.py into an assembly file that the kernel
# links (the image, page-aligned, and the offsets of its entry points).
set(CADENZA_VDSO_DIR ${PROJECT_SOURCE_DIR}/src/arch/i386/vdso)
set(CADENZA_VDSO_OBJECT ${CMAKE_BINARY_DIR}/vdso/vdso.o)
set(CADENZA_VDSO_DEBUG ${CMAKE_BINARY_DIR}/vdso/vdso.so.dbg)
set(CADENZA_VDSO ${CMAKE_BINARY_DIR}/vdso/vdso.so)
set(CADENZA_VDSO_ASM ${CMAKE_BINARY_DIR}/vdso/vdso_image.asm)
# No stack protector, PLT, GOT entries, jump tables or unwind tables: nothing the vDSO could not do alone.
set(CADENZA_VDSO_FLAGS -std=gnu++20 ${CADENZA_WARNINGS} -Ui386 -fPIC -O2 -ffreestanding -fno-exceptions -fno-rtti
    -fno-stack-protector -fno-asynchronous-unwind-tables -fno-unwind-tables -fno-jump-tables -fno-plt
    -fvisibility=hidden -fcf-protection=none -mgeneral-regs-only -march=i686 -I${PROJECT_SOURCE_DIR}/src)

add_custom_command(OUTPUT ${CADENZA_VDSO_OBJECT}
    COMMAND ${CMAKE_CXX_COMPILER} ${CADENZA_VDSO_FLAGS} -MD -MF ${CADENZA_VDSO_OBJECT}.d
            -c ${CADENZA_VDSO_DIR}/vdso.cpp -o ${CADENZA_VDSO_OBJECT}
    DEPENDS ${CADENZA_VDSO_DIR}/vdso.cpp
    DEPFILE ${CADENZA_VDSO_OBJECT}.d
    COMMENT "Compiling the vDSO")
add_custom_command(OUTPUT ${CADENZA_VDSO_DEBUG} ${CADENZA_VDSO}
    COMMAND ${CMAKE_CXX_COMPILER} -nostdlib -shared -Wl,-T,${CADENZA_VDSO_DIR}/vdso.ld -Wl,--hash-style=both
            -Wl,-soname=linux-gate.so.1 -Wl,--build-id=none -Wl,-z,max-page-size=4096 -Wl,--no-undefined
            -Wl,-z,noexecstack -o ${CADENZA_VDSO_DEBUG} ${CADENZA_VDSO_OBJECT}
    COMMAND ${CMAKE_OBJCOPY} --strip-all ${CADENZA_VDSO_DEBUG} ${CADENZA_VDSO}
    DEPENDS ${CADENZA_VDSO_OBJECT} ${CADENZA_VDSO_DIR}/vdso.ld
    COMMENT "Linking the vDSO")
add_custom_command(OUTPUT ${CADENZA_VDSO_ASM}
    COMMAND Python3::Interpreter ${CADENZA_VDSO_DIR}/vdso_embed.py ${CADENZA_VDSO_DEBUG} ${CADENZA_VDSO}
            ${CADENZA_VDSO_ASM}
    DEPENDS ${CADENZA_VDSO_DEBUG} ${CADENZA_VDSO} ${CADENZA_VDSO_DIR}/vdso_embed.py
    COMMENT "Checking and embedding the vDSO")
set_source_files_properties(${CADENZA_VDSO_ASM} PROPERTIES GENERATED TRUE OBJECT_DEPENDS ${CADENZA_VDSO})
