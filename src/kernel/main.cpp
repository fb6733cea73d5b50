// The portable boot sequence: consoles first (so every later problem is visible), then what the boot loader
// handed over, then whatever the command line asks for.
#include "kernel/main.hpp"

#include "arch/arch.hpp"
#include "block/registry.hpp"
#include "boot/cmdline.hpp"
#include "boot/multiboot.hpp"
#include "drivers/console_device.hpp"
#include "drivers/memory_devices.hpp"
#include "drivers/pci.hpp"
#include "drivers/serial.hpp"
#include "fs/cpio.hpp"
#include "fs/devfs/devfs.hpp"
#include "fs/procfs/procfs.hpp"
#include "fs/root.hpp"
#include "fs/tmpfs/tmpfs.hpp"
#include "drivers/vga_text.hpp"
#include "kernel/clock.hpp"
#include "kernel/log.hpp"
#include "kernel/panic.hpp"
#include "kernel/selftest.hpp"
#include "lib/errno.hpp"
#include "mm/physical_memory.hpp"
#include "mm/uaccess.hpp"
#include "proc/process.hpp"
#include "syscall/dispatch.hpp"
#include "syscall/strace.hpp"
#include "lib/format.hpp"
#include "lib/string.hpp"

namespace {

// Static: there is no heap yet, and both objects are large (the command line alone is 4 KiB).
SerialPort g_com1("ttyS0", SerialPort::kCom1);
VgaTextConsole g_vga("tty0");
boot::MultibootInfo g_multiboot;
boot::CommandLine g_command_line;

void start_consoles()
{
    // A missing UART or VGA buffer is no reason to stop: the other console still reports.
    if (!g_com1.init().is_error())
        log_add_console(g_com1);
    if (!g_vga.init().is_error())
        log_add_console(g_vga);
}

// Linux's names for the E820 types, so that boot logs read the same.
const char* region_type_name(u32 type)
{
    switch (type) {
    case 1: return "usable";
    case 3: return "ACPI data";
    case 4: return "ACPI NVS";
    case 5: return "unusable";
    default: return "reserved";
    }
}

void report_multiboot(u32 magic, PhysAddr info, Result<void> parsed)
{
    if (parsed.is_error()) {
        log_error("multiboot: no usable information block (magic %#x, block at %#x): %s", magic, info,
            errno_name(parsed.error()));
        return;
    }
    const auto& mb = g_multiboot;
    if (mb.loader_name()[0])
        log_info("boot loader: %s", mb.loader_name());
    for (usize i = 0; i < mb.warning_count(); ++i)
        log_warning("multiboot: %s (%s)", mb.warning(i).message, errno_name(mb.warning(i).code));
    if (mb.warnings_dropped())
        log_warning("multiboot: %zu more warnings", mb.warnings_dropped());
    for (usize i = 0; i < mb.region_count(); ++i) {
        const auto& r = mb.region(i);
        log_info("memory: [mem 0x%016llx-0x%016llx] %s", static_cast<unsigned long long>(r.base),
            static_cast<unsigned long long>(r.base + r.length - 1), region_type_name(r.type));
    }
    if (mb.region_count())
        log_info("memory: %llu KiB usable in %zu regions",
            static_cast<unsigned long long>(mb.available_bytes() / 1024), mb.region_count());
    else if (mb.has_basic_memory())
        log_info("memory: %u KiB low, %u KiB high (no memory map)", mb.mem_lower_kib(), mb.mem_upper_kib());
    else
        log_warning("memory: the boot loader gave no memory information");
    for (usize i = 0; i < mb.module_count(); ++i) {
        const auto& m = mb.module(i);
        log_info("module %zu: [%#010x-%#010x] %u bytes '%s'", i, m.start, m.end, m.end - m.start, m.name);
    }
}

// The page allocator gets the usable RAM of the memory map minus the kernel image and the modules.
void start_physical_memory()
{
    mm::PhysRangeSet ram, in_use;
    bool complete = true;
    for (usize i = 0; i < g_multiboot.region_count(); ++i) {
        const auto& r = g_multiboot.region(i);
        if (r.type == boot::MultibootInfo::kRegionAvailable)
            complete = !ram.add(r.base, r.base + r.length).is_error() && complete;
    }
    if (!g_multiboot.region_count() && g_multiboot.has_basic_memory()) // no map: mem_upper starts at 1 MiB
        complete = !ram.add(0x100000, 0x100000 + u64 { g_multiboot.mem_upper_kib() } * 1024).is_error();
    auto image = arch::kernel_image();
    complete = !in_use.add(image.start, image.end).is_error() && complete;
    for (usize i = 0; i < g_multiboot.module_count(); ++i)
        complete = !in_use.add(g_multiboot.module(i).start, g_multiboot.module(i).end).is_error() && complete;
    if (!complete)
        log_warning("memory: the memory map has more pieces than we track; some RAM is left unused");

    auto report = mm::init_physical_memory(ram, in_use);
    if (report.is_error()) {
        log_error("memory: no page allocator (%s): nothing can be allocated", errno_name(report.error()));
        return;
    }
    mm::install_page_fault_handler();
    proc::install_user_mode_handlers(sys::dispatch);
    const auto& r = report.value();
    log_info("memory: %zu KiB available to the page allocator, %llu KiB reserved, %llu KiB above the direct map",
        r.managed_pages * (mm::kPageSize / 1024), static_cast<unsigned long long>(r.reserved_bytes / 1024),
        static_cast<unsigned long long>(r.unreachable_bytes / 1024));
}

// Before anything is logged, so that loglevel= and console= hold from the first line on.
void apply_command_line()
{
    g_command_line.parse(g_multiboot.command_line(), g_multiboot.command_line_length());
    // `quiet` is Linux's loglevel=4 (warnings and worse hidden too), unless loglevel= says otherwise.
    bool quiet = g_command_line.has("quiet") && !g_command_line.has("loglevel");
    log_set_level(quiet ? 4 : g_command_line.log_level());
    if (usize count = g_command_line.console_count()) {
        const char* names[boot::CommandLine::kMaxConsoles];
        for (usize i = 0; i < count; ++i)
            names[i] = g_command_line.console(i).name;
        log_select_consoles(names, count);
    }
}

// strace=1 traces every process's system calls, strace=PID one process (a bare `strace` is strace=1).
void apply_trace_option()
{
    auto option = g_command_line.find("strace");
    if (!option)
        return;
    if (sys::set_trace(option.value ? option.value : "1"))
        log_notice("strace: tracing %s", option.value && compare_strings(option.value, "1") != 0 ? option.value : "every process");
    else
        log_warning("command line: 'strace': not 1, 0 or a process ID (EINVAL), ignored");
}

void report_command_line()
{
    log_info("command line: %s", g_multiboot.command_line());
    for (usize i = 0; i < g_command_line.warning_count(); ++i) {
        const auto& w = g_command_line.warning(i);
        log_warning("command line: '%s': %s (%s), ignored", w.key, w.message, errno_name(w.code));
    }
    if (g_command_line.warnings_dropped())
        log_warning("command line: %zu more warnings", g_command_line.warnings_dropped());
}

// The root filesystem and what init finds in it: procfs on /proc, a tmpfs on /tmp, and devtmpfs on /dev with
// the console and the memory devices (as Linux's devtmpfs automount).
void start_filesystems()
{
    if (auto root = fs::mount_system_root(); root.is_error())
        log_error("vfs: no root filesystem: %s", errno_name(root.error()));
    if (auto console = drivers::register_console_device(); console.is_error())
        log_error("console: /dev/console not registered: %s", errno_name(console.error()));
    fs::procfs::set_kernel_command_line(g_multiboot.command_line());
    if (auto proc = fs::mount_on_root_directory("proc", fs::procfs::filesystem_type()); proc.is_error())
        log_error("procfs: not mounted on /proc: %s", errno_name(proc.error()));
    if (auto tmp = fs::mount_on_root_directory("tmp", fs::tmpfs::filesystem_type()); tmp.is_error())
        log_error("tmpfs: not mounted on /tmp: %s", errno_name(tmp.error()));
    if (auto devices = drivers::register_memory_devices(); devices.is_error())
        log_error("mem: /dev/null and friends not registered: %s", errno_name(devices.error()));
    if (auto dev = fs::devfs::mount_on_dev(); dev.is_error())
        log_error("devtmpfs: not mounted on /dev: %s", errno_name(dev.error()));
}

// Boot modules fill the root filesystem: a cpio archive (newc, as an initramfs) is unpacked into it, and a
// bare ELF program is put at the path its module string starts with, to run as init with the rest of the
// string as its arguments (how `./cadenza exec` and the tests pass one program). Returns that program's
// argument string, or nullptr.
char* load_modules()
{
    static char arguments[boot::BootModule::kMaxName + 1];
    char* program = nullptr;
    for (usize i = 0; i < g_multiboot.module_count(); ++i) {
        const auto& module = g_multiboot.module(i);
        usize size = module.end - module.start;
        auto* bytes = static_cast<const u8*>(arch::phys_to_virt(module.start, size));
        if (!bytes || size < 6)
            continue;
        if (compare_bytes(bytes, "0707", 4) == 0) {
            auto summary = fs::unpack_cpio(fs::system_root(), bytes, size);
            if (summary.is_error())
                log_error("initramfs: %s", errno_name(summary.error()));
            else
                log_info("initramfs: %u entries unpacked, %u skipped%s", summary.value().unpacked,
                    summary.value().skipped, summary.value().truncated ? ", archive cut short" : "");
            continue;
        }
        if (bytes[0] != 0x7F || bytes[1] != 'E' || bytes[2] != 'L' || bytes[3] != 'F' || program)
            continue;
        // A relative module string names a file in the root directory.
        arguments[0] = '/';
        copy_string(arguments + (module.name[0] == '/' ? 0 : 1), module.name[0] ? module.name : "init",
            sizeof(arguments) - 1);
        StringView text(arguments, string_length(arguments));
        usize space = text.find(' ');
        StringView path = space == StringView::kNotFound ? text : text.substring(0, space);
        if (auto installed = fs::install_file(path, bytes, size, 0755); installed.is_error()) {
            log_error("boot: module %s not placed in the root filesystem: %s", arguments, errno_name(installed.error()));
            continue;
        }
        program = arguments;
    }
    return program;
}

// Linux's order: the program the boot modules name, else init= when given, else the first of /init (an
// initramfs's), /sbin/init, /etc/init, /bin/init and /bin/sh that can be run. Its exit ends the system, as
// init's does on Linux: a panic, or with init_exit=poweroff a status line and power-off.
[[noreturn]] void run_first_program()
{
    char* program = load_modules();
    const char* argv[17] = {};
    usize argc = 0;
    for (char* p = program; p && *p && argc < 16;) {
        while (*p == ' ')
            *p++ = '\0';
        if (!*p)
            break;
        argv[argc++] = p;
        while (*p && *p != ' ')
            ++p;
    }
    const char* candidates[] = { "/init", "/sbin/init", "/etc/init", "/bin/init", "/bin/sh" };
    auto given = g_command_line.find("init");
    const char* envp[] = { "HOME=/", "TERM=linux", "PATH=/sbin:/usr/sbin:/bin:/usr/bin", nullptr };
    bool named = argc || (given && given.value && given.value[0]); // a program named outright is the only one tried
    bool started = false;
    u32 status = 0;
    Errno failure = Errno::NOENT;
    for (usize i = 0; i < 5 && !started; ++i) {
        if (!argc) {
            argv[0] = named ? g_command_line.init() : candidates[i];
            argv[1] = nullptr;
        }
        log_info("running %s as init", argv[0]);
        auto result = proc::run_init(argv, envp);
        if (!result.is_error()) {
            started = true;
            status = result.value();
        } else {
            failure = result.error();
            if (named || failure != Errno::NOENT)
                break;
        }
    }
    if (!started && !named && failure == Errno::NOENT) {
        // Nothing to run at all (a bare kernel): say so and idle, where Linux would panic.
        log_notice("Cadenza is up; there is no init to run (tried /init, /sbin/init, /etc/init, /bin/init, /bin/sh)");
        for (;;)
            arch::wait_for_interrupt();
    }
    char line[160];
    if (!started)
        format(line, sizeof(line), "init: %s could not be started: %s", argv[0], errno_name(failure));
    else if (status & 0x7F)
        format(line, sizeof(line), "init: %s killed by signal %u", argv[0], status & 0x7F);
    else
        format(line, sizeof(line), "init: %s exited with status %u", argv[0], status >> 8);
    log_emergency_line(line);
    auto exit = g_command_line.find("init_exit");
    if (exit && exit.value && compare_strings(exit.value, "poweroff") == 0)
        arch::exit_emulator(started && status == 0);
    panic("Attempted to kill init! (%s)", line);
}

} // namespace

void kernel_main(u32 multiboot_magic, PhysAddr multiboot_info)
{
    start_consoles();
    auto parsed = g_multiboot.parse(multiboot_magic, multiboot_info);
    apply_command_line();
    log_notice("Cadenza %s (i386) booting", kKernelVersion);
    report_multiboot(multiboot_magic, multiboot_info, parsed);
    report_command_line();
    apply_trace_option();
    start_physical_memory();
    arch::interrupts_enable();
    log_info("clock: steps %llu ns", static_cast<unsigned long long>(arch::clock_resolution_ns()));
    clock_init();

    // Before anything else allocates: the memory self-tests count every page back.
    if (const char* test = g_command_line.test(); test[0]) {
        panic_set_test_mode(true);
        run_selftests(test);
    }
    start_filesystems();
    log_info("pci: %zu functions", drivers::pci::scan());
    fs::procfs::provide_file(fs::procfs::ProvidedFile::PciDevices, drivers::pci::write_proc_devices);
    fs::procfs::provide_file(fs::procfs::ProvidedFile::Partitions, block::write_proc_partitions);
    run_first_program();
}
