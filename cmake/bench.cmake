# Bench flavour: the host library optimised and without sanitizers, and one program per bench/host/*.cpp.
cadenza_host_library(cadenza_bench -O2)
file(GLOB CADENZA_BENCH_SOURCES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/bench/host/*.cpp)
foreach(source ${CADENZA_BENCH_SOURCES})
    get_filename_component(target ${source} NAME_WE)
    add_executable(${target} ${source})
    target_link_libraries(${target} PRIVATE cadenza_bench)
endforeach()
