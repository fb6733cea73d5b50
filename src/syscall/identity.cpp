// User and group IDs (man 2 setuid, setreuid, setresuid, setfsuid, setgroups and their gid twins), in the
// 32-bit calls and i386's old 16-bit ones. Root (effective uid 0) may do anything, as with all capabilities.
#include "proc/process.hpp"
#include "syscall/handlers.hpp"

namespace sys {

namespace {

constexpr u32 kUnchanged = 0xFFFFFFFF;

proc::Credentials& creds() { return proc::current()->credentials; }

// 16-bit IDs: -1 stays -1 ("leave unchanged"); others widen as they are.
u32 widen(u32 id16) { return (id16 & 0xFFFF) == 0xFFFF ? kUnchanged : (id16 & 0xFFFF); }
u32 narrow(u32 id) { return id > 0xFFFF ? 65534 : id; }

bool is_one_of(u32 id, u32 a, u32 b, u32 c) { return id == a || id == b || id == c; }

// The uid and gid variants differ only in which fields they touch; `G` selects them.
struct UidFields {
    static u32& real(proc::Credentials& c) { return c.uid; }
    static u32& effective(proc::Credentials& c) { return c.euid; }
    static u32& saved(proc::Credentials& c) { return c.suid; }
    static u32& filesystem(proc::Credentials& c) { return c.fsuid; }
};
struct GidFields {
    static u32& real(proc::Credentials& c) { return c.gid; }
    static u32& effective(proc::Credentials& c) { return c.egid; }
    static u32& saved(proc::Credentials& c) { return c.sgid; }
    static u32& filesystem(proc::Credentials& c) { return c.fsgid; }
};

template<typename F>
Result<void> set_id(u32 id)
{
    auto& c = creds();
    if (id == kUnchanged)
        return Errno::INVAL;
    if (c.is_root()) {
        F::real(c) = F::effective(c) = F::saved(c) = F::filesystem(c) = id;
    } else if (id == F::real(c) || id == F::saved(c)) {
        F::effective(c) = F::filesystem(c) = id;
    } else {
        return Errno::PERM;
    }
    return {};
}

template<typename F>
Result<void> set_real_effective(u32 real, u32 effective)
{
    auto& c = creds();
    u32 old_real = F::real(c);
    if (!c.is_root()) {
        if (real != kUnchanged && real != F::real(c) && real != F::effective(c))
            return Errno::PERM;
        if (effective != kUnchanged && !is_one_of(effective, F::real(c), F::effective(c), F::saved(c)))
            return Errno::PERM;
    }
    if (real != kUnchanged)
        F::real(c) = real;
    if (effective != kUnchanged)
        F::effective(c) = effective;
    // The saved ID follows the effective one when the real one changed or the effective one left it.
    if (real != kUnchanged || (effective != kUnchanged && effective != old_real))
        F::saved(c) = F::effective(c);
    F::filesystem(c) = F::effective(c);
    return {};
}

template<typename F>
Result<void> set_real_effective_saved(u32 real, u32 effective, u32 saved)
{
    auto& c = creds();
    if (!c.is_root()) {
        for (u32 id : { real, effective, saved })
            if (id != kUnchanged && !is_one_of(id, F::real(c), F::effective(c), F::saved(c)))
                return Errno::PERM;
    }
    if (real != kUnchanged)
        F::real(c) = real;
    if (effective != kUnchanged)
        F::effective(c) = effective;
    if (saved != kUnchanged)
        F::saved(c) = saved;
    F::filesystem(c) = F::effective(c);
    return {};
}

// An id as the 16-bit calls (u16) or the others (u32) carry it.
template<typename Id> Id user_id(u32 id)
{
    if constexpr (sizeof(Id) == 2)
        return static_cast<u16>(narrow(id));
    else
        return id;
}

template<typename F, typename Id>
Result<void> get_real_effective_saved(mm::UserOut<Id> real, mm::UserOut<Id> effective, mm::UserOut<Id> saved)
{
    auto& c = creds();
    u32 values[3] = { F::real(c), F::effective(c), F::saved(c) };
    mm::UserOut<Id> addresses[3] = { real, effective, saved };
    for (int i = 0; i < 3; ++i)
        TRY(mm::copy_to_user(addresses[i], user_id<Id>(values[i])));
    return {};
}

// setfsuid never fails: it returns the old value, and changes it only when allowed.
template<typename F>
u32 set_filesystem(u32 id)
{
    auto& c = creds();
    u32 old = F::filesystem(c);
    if (id != kUnchanged && (c.is_root() || is_one_of(id, F::real(c), F::effective(c), F::saved(c)) || id == old))
        F::filesystem(c) = id;
    return old;
}

template<typename Id> Result<i32> get_groups(i32 size, mm::UserOut<Id> list)
{
    auto& c = creds();
    if (size < 0)
        return Errno::INVAL;
    if (size == 0)
        return static_cast<i32>(c.group_count);
    if (static_cast<usize>(size) < c.group_count)
        return Errno::INVAL;
    for (usize i = 0; i < c.group_count; ++i)
        TRY(mm::copy_to_user(list.offset(i), user_id<Id>(c.groups[i])));
    return static_cast<i32>(c.group_count);
}

template<typename Id> Result<void> set_groups(i32 size, mm::UserIn<Id> list)
{
    auto& c = creds();
    if (!c.is_root())
        return Errno::PERM;
    if (size < 0 || static_cast<usize>(size) > proc::Credentials::kMaxGroups)
        return Errno::INVAL;
    u32 groups[proc::Credentials::kMaxGroups];
    for (i32 i = 0; i < size; ++i) {
        Id group;
        TRY(mm::copy_from_user(group, list.offset(static_cast<usize>(i))));
        groups[i] = sizeof(Id) == 2 ? widen(group) : group;
    }
    for (i32 i = 0; i < size; ++i)
        c.groups[i] = groups[i];
    c.group_count = static_cast<usize>(size);
    return {};
}

} // namespace

Result<void> sys_setuid(u32 uid) { return set_id<UidFields>(uid); }
Result<void> sys_setgid(u32 gid) { return set_id<GidFields>(gid); }
Result<void> sys_setuid16(u32 uid) { return set_id<UidFields>(widen(uid)); }
Result<void> sys_setgid16(u32 gid) { return set_id<GidFields>(widen(gid)); }
Result<void> sys_setreuid(u32 r, u32 e) { return set_real_effective<UidFields>(r, e); }
Result<void> sys_setregid(u32 r, u32 e) { return set_real_effective<GidFields>(r, e); }
Result<void> sys_setreuid16(u32 r, u32 e) { return set_real_effective<UidFields>(widen(r), widen(e)); }
Result<void> sys_setregid16(u32 r, u32 e) { return set_real_effective<GidFields>(widen(r), widen(e)); }
Result<void> sys_setresuid(u32 r, u32 e, u32 s) { return set_real_effective_saved<UidFields>(r, e, s); }
Result<void> sys_setresgid(u32 r, u32 e, u32 s) { return set_real_effective_saved<GidFields>(r, e, s); }
Result<void> sys_setresuid16(u32 r, u32 e, u32 s)
{
    return set_real_effective_saved<UidFields>(widen(r), widen(e), widen(s));
}
Result<void> sys_setresgid16(u32 r, u32 e, u32 s)
{
    return set_real_effective_saved<GidFields>(widen(r), widen(e), widen(s));
}
Result<void> sys_getresuid(mm::UserOut<u32> r, mm::UserOut<u32> e, mm::UserOut<u32> s)
{
    return get_real_effective_saved<UidFields>(r, e, s);
}
Result<void> sys_getresgid(mm::UserOut<u32> r, mm::UserOut<u32> e, mm::UserOut<u32> s)
{
    return get_real_effective_saved<GidFields>(r, e, s);
}
Result<void> sys_getresuid16(mm::UserOut<u16> r, mm::UserOut<u16> e, mm::UserOut<u16> s)
{
    return get_real_effective_saved<UidFields>(r, e, s);
}
Result<void> sys_getresgid16(mm::UserOut<u16> r, mm::UserOut<u16> e, mm::UserOut<u16> s)
{
    return get_real_effective_saved<GidFields>(r, e, s);
}
Result<u32> sys_setfsuid(u32 uid) { return set_filesystem<UidFields>(uid); }
Result<u32> sys_setfsgid(u32 gid) { return set_filesystem<GidFields>(gid); }
Result<u32> sys_setfsuid16(u32 uid) { return narrow(set_filesystem<UidFields>(widen(uid))); }
Result<u32> sys_setfsgid16(u32 gid) { return narrow(set_filesystem<GidFields>(widen(gid))); }
Result<i32> sys_getgroups(i32 size, mm::UserOut<u32> list) { return get_groups(size, list); }
Result<i32> sys_getgroups16(i32 size, mm::UserOut<u16> list) { return get_groups(size, list); }
Result<void> sys_setgroups(i32 size, mm::UserIn<u32> list) { return set_groups(size, list); }
Result<void> sys_setgroups16(i32 size, mm::UserIn<u16> list) { return set_groups(size, list); }

} // namespace sys
