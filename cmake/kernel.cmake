# Kernel flavour: portable code + src/arch/i386, freestanding, linked as a higher-half Multiboot ELF.
# The image is linked twice: the first link gives the addresses from which tools/gen-ksyms.py builds the
# symbol table; the second adds that table as the last section, so no other address moves.
enable_language(ASM_NASM)
set(CMAKE_ASM_NASM_OBJECT_FORMAT elf32)
find_package(Python3 REQUIRED COMPONENTS Interpreter)

file(GLOB CADENZA_ARCH_SOURCES CONFIGURE_DEPENDS
     ${PROJECT_SOURCE_DIR}/src/arch/i386/*.cpp ${PROJECT_SOURCE_DIR}/src/arch/i386/*.asm)
set(CADENZA_LINKER_SCRIPT ${PROJECT_SOURCE_DIR}/src/arch/i386/linker.ld)
include(${PROJECT_SOURCE_DIR}/cmake/vdso.cmake)

add_library(kernel_objects OBJECT ${CADENZA_PORTABLE_SOURCES} ${CADENZA_ARCH_SOURCES} ${CADENZA_VDSO_ASM})
target_include_directories(kernel_objects PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_compile_definitions(kernel_objects PRIVATE CADENZA_KERNEL=1)
# GNU mode predefines `i386` as 1 on this target, which would eat the i386:: namespace: undefine it.
target_compile_options(kernel_objects PRIVATE
    $<$<COMPILE_LANGUAGE:CXX>:${CADENZA_WARNINGS} -Ui386 -ffreestanding -fno-exceptions -fno-rtti
        -fno-threadsafe-statics -fno-use-cxa-atexit -fno-stack-protector -fno-pie -fno-omit-frame-pointer
        -mgeneral-regs-only -march=i686 -O2 -g>)

set(CADENZA_KERNEL_LINK_OPTIONS -nostdlib -static -no-pie -T ${CADENZA_LINKER_SCRIPT}
    -Wl,--build-id=none -Wl,-z,max-page-size=0x1000 -Wl,--no-warn-rwx-segments -Wl,-z,noexecstack)

# Stage 1: everything but the symbol table.
add_executable(cadenza_stage1.elf $<TARGET_OBJECTS:kernel_objects>)
target_link_options(cadenza_stage1.elf PRIVATE ${CADENZA_KERNEL_LINK_OPTIONS})
target_link_libraries(cadenza_stage1.elf PRIVATE gcc) # 64-bit division helpers
set_target_properties(cadenza_stage1.elf PROPERTIES LINK_DEPENDS ${CADENZA_LINKER_SCRIPT})

set(CADENZA_KSYMS ${CMAKE_BINARY_DIR}/ksyms.bin)
set(CADENZA_KSYMS_OBJECT ${CMAKE_BINARY_DIR}/ksyms.o)
add_custom_command(OUTPUT ${CADENZA_KSYMS_OBJECT}
    COMMAND Python3::Interpreter ${PROJECT_SOURCE_DIR}/tools/gen-ksyms.py ${CMAKE_NM}
            $<TARGET_FILE:cadenza_stage1.elf> ${CADENZA_KSYMS}
    COMMAND ${CMAKE_OBJCOPY} -I binary -O elf32-i386 -B i386
            --rename-section .data=.ksyms,alloc,load,readonly,data,contents
            ksyms.bin ${CADENZA_KSYMS_OBJECT}
    DEPENDS cadenza_stage1.elf ${PROJECT_SOURCE_DIR}/tools/gen-ksyms.py
    WORKING_DIRECTORY ${CMAKE_BINARY_DIR}
    COMMENT "Embedding the kernel symbol table")

# Stage 2: the image that boots.
add_executable(cadenza.elf $<TARGET_OBJECTS:kernel_objects> ${CADENZA_KSYMS_OBJECT})
target_link_options(cadenza.elf PRIVATE ${CADENZA_KERNEL_LINK_OPTIONS})
target_link_libraries(cadenza.elf PRIVATE gcc)
set_target_properties(cadenza.elf PROPERTIES LINK_DEPENDS ${CADENZA_LINKER_SCRIPT})
# The symbol table must describe the image it is in: every function keeps its stage-1 address.
add_custom_command(TARGET cadenza.elf POST_BUILD
    COMMAND ${CMAKE_COMMAND} -DNM=${CMAKE_NM} -DSTAGE1=$<TARGET_FILE:cadenza_stage1.elf>
            -DFINAL=$<TARGET_FILE:cadenza.elf> -P ${PROJECT_SOURCE_DIR}/cmake/check-ksyms.cmake)

# GRUB 2 rescue images: cadenza.iso boots to the consoles; cadenza-test.iso runs the self-tests (integration).
function(cadenza_iso name command_line)
    set(dir ${CMAKE_BINARY_DIR}/${name}.d)
    set(COMMAND_LINE ${command_line})
    configure_file(${PROJECT_SOURCE_DIR}/images/grub.cfg.in ${dir}/boot/grub/grub.cfg @ONLY)
    add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/${name}.iso
        COMMAND ${CMAKE_COMMAND} -E copy $<TARGET_FILE:cadenza.elf> ${dir}/boot/cadenza.elf
        COMMAND grub-mkrescue -o ${CMAKE_BINARY_DIR}/${name}.iso ${dir} 2> ${CMAKE_BINARY_DIR}/${name}.log
        DEPENDS cadenza.elf ${dir}/boot/grub/grub.cfg
        COMMENT "Making the GRUB 2 image ${name}.iso")
    add_custom_target(${name}_iso ALL DEPENDS ${CMAKE_BINARY_DIR}/${name}.iso)
endfunction()
cadenza_iso(cadenza "console=ttyS0 console=tty0")
cadenza_iso(cadenza-test "console=ttyS0 console=tty0 test=all")
