// Process identity, exit, thread-local storage and uname.
#include "proc/process.hpp"
#include "kernel/version.hpp"
#include "lib/string.hpp"
#include "syscall/handlers.hpp"

namespace sys {

namespace {

proc::Thread& self() { return *proc::current(); }

// Linux's 16-bit ID calls cannot express IDs above 65535 and report the overflow ID instead.
u32 to_16_bit(u32 id) { return id > 0xFFFF ? 65534 : id; }

arch::TlsDescriptor unpack(const UserDesc& d)
{
    return { d.base_addr, d.limit, static_cast<bool>(d.flags & 1), static_cast<bool>(d.flags & 8),
        static_cast<bool>(d.flags & 16), static_cast<bool>(d.flags & 32), static_cast<bool>(d.flags & 64),
        static_cast<u8>((d.flags >> 1) & 3) };
}

u32 pack_flags(const arch::TlsDescriptor& d)
{
    return (d.seg_32bit ? 1u : 0u) | (u32 { d.contents } << 1) | (d.read_exec_only ? 8u : 0u)
        | (d.limit_in_pages ? 16u : 0u) | (d.seg_not_present ? 32u : 0u) | (d.useable ? 64u : 0u);
}

// Linux's LDT_empty() and LDT_zero(): the descriptors that clear an entry.
bool is_clear(const UserDesc& d)
{
    return d.base_addr == 0 && d.limit == 0 && ((d.flags & 0x7F) == (8 | 32) || (d.flags & 0x7F) == 0);
}

} // namespace

Result<void> sys_exit(i32 status) { proc::exit_thread((static_cast<u32>(status) & 0xFF) << 8); }

Result<void> sys_exit_group(i32 status) { proc::exit_process((static_cast<u32>(status) & 0xFF) << 8); }

Result<i32> sys_getpid() { return self().tgid(); }
Result<i32> sys_gettid() { return self().tid; }
Result<i32> sys_getppid() { return self().process().parent_pid(); }

Result<i32> sys_set_tid_address(mm::UserInOut<i32> address)
{
    self().clear_child_tid = address.address();
    return self().tid;
}

namespace {

// A TLS descriptor as set_thread_area and clone's CLONE_SETTLS give it (arch/x86/kernel/tls.c): `allocate`
// lets entry -1 take the first free slot.
struct TlsRequest {
    u32 index;
    arch::TlsDescriptor descriptor;
    bool clear;
};

// In do_set_thread_area()'s order: the descriptor's sanity, then allocation, then the index.
Result<TlsRequest> tls_request(UserDesc& desc, bool allocate)
{
    bool clear = is_clear(desc);
    // Only present 32-bit data segments may be TLS (tls_desc_okay()): a selector loaded from a not-present one
    // would fault in the kernel's return path; an entry is removed by clearing it instead.
    if (!clear && (!(desc.flags & 1) || ((desc.flags >> 1) & 3) > 1 || (desc.flags & 32)))
        return Errno::INVAL;
    u32 index = desc.entry_number;
    if (index == 0xFFFFFFFF && allocate) {
        index = 0;
        while (index < arch::kTlsEntries && self().tls_used[index])
            ++index;
        if (index == arch::kTlsEntries)
            return Errno::SRCH;
        index += arch::kFirstTlsEntry;
        desc.entry_number = index;
    }
    if (index < arch::kFirstTlsEntry || index >= arch::kFirstTlsEntry + arch::kTlsEntries)
        return Errno::INVAL;
    return TlsRequest { index, unpack(desc), clear };
}

} // namespace

Result<i32> sys_clone(
    u32 flags, u32 stack, mm::UserOut<i32> parent_tid, mm::UserIn<UserDesc> tls, mm::UserOut<i32> child_tid)
{
    TRY(proc::check_clone_flags(flags));
    proc::CloneRequest request { flags, stack, parent_tid.address(), child_tid.address(), nullptr, 0, false };
    TlsRequest tls_slot;
    if (flags & proc::kCloneSettls) {
        UserDesc desc;
        TRY(mm::copy_from_user(desc, tls));
        tls_slot = TRY(tls_request(desc, false));
        request.tls = &tls_slot.descriptor;
        request.tls_entry = tls_slot.index;
        request.tls_clear = tls_slot.clear;
    }
    return proc::clone_current(request);
}

Result<i32> sys_set_thread_area(mm::UserInOut<UserDesc> pointer)
{
    UserDesc desc;
    TRY(mm::copy_from_user(desc, pointer));
    u32 asked = desc.entry_number;
    TlsRequest request = TRY(tls_request(desc, true));
    if (asked != request.index)
        TRY(mm::copy_to_user(pointer, desc)); // tell the caller which entry it got
    u32 slot = request.index - arch::kFirstTlsEntry;
    self().tls[slot] = request.descriptor;
    self().tls_used[slot] = !request.clear;
    arch::load_tls_descriptor(request.index, self().tls[slot]);
    return 0;
}

Result<i32> sys_get_thread_area(mm::UserInOut<UserDesc> pointer)
{
    UserDesc desc;
    TRY(mm::copy_from_user(desc, pointer));
    u32 index = desc.entry_number;
    if (index < arch::kFirstTlsEntry || index >= arch::kFirstTlsEntry + arch::kTlsEntries)
        return Errno::INVAL;
    const arch::TlsDescriptor& tls = self().tls[index - arch::kFirstTlsEntry];
    if (!self().tls_used[index - arch::kFirstTlsEntry])
        desc = { index, 0, 0, 8 | 32 };
    else
        desc = { index, tls.base, tls.limit, pack_flags(tls) };
    TRY(mm::copy_to_user(pointer, desc));
    return 0;
}

Result<u32> sys_getuid() { return self().credentials.uid; }
Result<u32> sys_geteuid() { return self().credentials.euid; }
Result<u32> sys_getgid() { return self().credentials.gid; }
Result<u32> sys_getegid() { return self().credentials.egid; }
Result<u32> sys_getuid16() { return to_16_bit(self().credentials.uid); }
Result<u32> sys_geteuid16() { return to_16_bit(self().credentials.euid); }
Result<u32> sys_getgid16() { return to_16_bit(self().credentials.gid); }
Result<u32> sys_getegid16() { return to_16_bit(self().credentials.egid); }

Result<void> sys_uname(mm::UserOut<NewUtsname> pointer)
{
    // "Linux" as the system name: programs and scripts test for it to pick Linux's behaviour, which is
    // what this kernel offers. The release says what it really is.
    NewUtsname name {};
    copy_string(name.sysname, "Linux", sizeof(name.sysname));
    copy_string(name.nodename, "cadenza", sizeof(name.nodename));
    copy_string(name.release, "6.1.0-cadenza", sizeof(name.release));
    copy_string(name.version, "#1 Cadenza ", sizeof(name.version));
    copy_string(
        name.version + string_length(name.version), kKernelVersion, sizeof(name.version) - string_length(name.version));
    copy_string(name.machine, "i686", sizeof(name.machine));
    copy_string(name.domainname, "(none)", sizeof(name.domainname));
    return mm::copy_to_user(pointer, name);
}

} // namespace sys
