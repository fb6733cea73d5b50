// Safe access to user memory (GUIDE §4). A user address is a UserPointer that says which way the memory goes
// (UserIn, UserOut, UserInOut, as Zircon's user_in_ptr and user_out_ptr) and cannot be dereferenced: the only
// ways in are the copies below, which accept only the directions that make sense, check the range against user
// space and turn a fault that demand paging cannot resolve into EFAULT. Transfers of file data go through
// mm/io_buffer.hpp.
#pragma once

#include "arch/arch.hpp"
#include "lib/result.hpp"

namespace mm {

// Which way a system call's user memory goes, from the kernel's side: In is read (a write's buffer, a
// timeout), Out is written (a read's buffer, a stat result), InOut both (a value-result length).
enum class UserAccess : u8 { In, Out, InOut };

template<typename T, UserAccess Access>
class UserPointer {
public:
    constexpr UserPointer() = default;
    constexpr explicit UserPointer(uptr address) : m_address(address) {}
    uptr address() const { return m_address; }
    bool is_null() const { return m_address == 0; }
    // The element `count` places on, as pointer arithmetic would (wrapping is caught by the range check).
    UserPointer offset(usize count) const { return UserPointer(m_address + count * sizeof(T)); }
    // The same memory seen as another type (a structure's bytes, an array of its words).
    template<typename U>
    UserPointer<U, Access> as() const { return UserPointer<U, Access>(m_address); }
    // Memory that goes both ways may be handed on for one of them.
    operator UserPointer<T, UserAccess::In>() const
        requires(Access == UserAccess::InOut)
    {
        return UserPointer<T, UserAccess::In>(m_address);
    }
    operator UserPointer<T, UserAccess::Out>() const
        requires(Access == UserAccess::InOut)
    {
        return UserPointer<T, UserAccess::Out>(m_address);
    }

private:
    uptr m_address { 0 };
};

template<typename T>
using UserIn = UserPointer<T, UserAccess::In>;
template<typename T>
using UserOut = UserPointer<T, UserAccess::Out>;
template<typename T>
using UserInOut = UserPointer<T, UserAccess::InOut>;

// True when [address, address + length) lies inside user space (Linux's access_ok).
inline bool is_user_range(uptr address, usize length)
{
    return length <= arch::kUserEnd && address <= arch::kUserEnd - length;
}

// True when [address, address + length) may be read by a system call: user space, or the read-only pages
// above it that every address space shows (the vDSO).
inline bool is_user_readable_range(uptr address, usize length)
{
    return is_user_range(address, length) || (length && length <= arch::user_readable_above_end(address));
}

namespace raw {
// Byte copies by address, for mm's own use (the typed copies below, io_buffer.cpp): code outside mm names
// the direction through a UserPointer instead.
Result<void> copy_from_user(void* to, uptr from, usize length);
Result<void> copy_to_user(uptr to, const void* from, usize length);
usize copy_from_user_partial(void* to, uptr from, usize length);
} // namespace raw

template<typename T, UserAccess Access>
    requires(Access != UserAccess::Out)
Result<void> copy_from_user(T& to, UserPointer<T, Access> from)
{
    return raw::copy_from_user(&to, from.address(), sizeof(T));
}
template<typename T, UserAccess Access>
    requires(Access != UserAccess::In)
Result<void> copy_to_user(UserPointer<T, Access> to, const T& from)
{
    return raw::copy_to_user(to.address(), &from, sizeof(T));
}
// Arrays: `count` elements, with the byte count checked for overflow.
template<typename T, UserAccess Access>
    requires(Access != UserAccess::Out)
Result<void> copy_array_from_user(T* to, UserPointer<T, Access> from, usize count)
{
    if (count > ~usize { 0 } / sizeof(T))
        return Errno::FAULT;
    return raw::copy_from_user(to, from.address(), count * sizeof(T));
}
template<typename T, UserAccess Access>
    requires(Access != UserAccess::In)
Result<void> copy_array_to_user(UserPointer<T, Access> to, const T* from, usize count)
{
    if (count > ~usize { 0 } / sizeof(T))
        return Errno::FAULT;
    return raw::copy_to_user(to.address(), from, count * sizeof(T));
}
// As many whole elements as the memory allows before the first that faults (the trace shows what it can).
// 0 for a range outside user space.
template<typename T, UserAccess Access>
usize copy_array_from_user_partial(T* to, UserPointer<T, Access> from, usize count)
{
    if (count > ~usize { 0 } / sizeof(T))
        return 0;
    return raw::copy_from_user_partial(to, from.address(), count * sizeof(T)) / sizeof(T);
}
// Copies a NUL-terminated string into `to` (`size` bytes); returns its length. ENAMETOOLONG when no NUL comes
// within `size` bytes, EFAULT on a bad address.
Result<usize> copy_string_from_user(char* to, UserIn<char> from, usize size);

// Lets arch's page-fault path resolve faults in the active address space (demand paging, copy-on-write).
void install_page_fault_handler();

} // namespace mm
