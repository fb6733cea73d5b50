# Fuzz flavour (clang): one libFuzzer binary per test/fuzz/*.cpp, each with ASan and UBSan.
cadenza_host_library(cadenza_fuzz -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -g)
file(GLOB CADENZA_FUZZ_SOURCES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/test/fuzz/*.cpp)
foreach(source ${CADENZA_FUZZ_SOURCES})
    get_filename_component(target ${source} NAME_WE)
    add_executable(fuzz_${target} ${source})
    target_link_libraries(fuzz_${target} PRIVATE cadenza_fuzz)
    target_link_options(fuzz_${target} PRIVATE -fsanitize=fuzzer)
endforeach()
