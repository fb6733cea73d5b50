// Safe access to user memory (GUIDE §4). A user address is a UserPtr, which cannot be dereferenced: the only
// ways in are the copies below, which check the range against user space and turn a fault that demand
// paging cannot resolve into EFAULT.
#pragma once

#include "arch/arch.hpp"
#include "lib/result.hpp"

namespace mm {

template<typename T>
class UserPtr {
public:
    UserPtr() = default;
    explicit UserPtr(uptr address) : m_address(address) {}
    uptr address() const { return m_address; }
    bool is_null() const { return m_address == 0; }
    // The element `count` places on, as pointer arithmetic would (wrapping is caught by the range check).
    UserPtr offset(usize count) const { return UserPtr(m_address + count * sizeof(T)); }

private:
    uptr m_address { 0 };
};

// True when [address, address + length) lies inside user space (Linux's access_ok).
inline bool is_user_range(uptr address, usize length)
{
    return length <= arch::kUserEnd && address <= arch::kUserEnd - length;
}

Result<void> copy_from_user(void* to, uptr from, usize length);
Result<void> copy_to_user(uptr to, const void* from, usize length);
// As far as the memory allows: the bytes copied before the first that faults (read and write move what
// they can, then stop). 0 for a range outside user space.
usize copy_from_user_partial(void* to, uptr from, usize length);
usize copy_to_user_partial(uptr to, const void* from, usize length);
// Copies a NUL-terminated string into `to` (`size` bytes); returns its length. ENAMETOOLONG when no NUL comes
// within `size` bytes, EFAULT on a bad address.
Result<usize> copy_string_from_user(char* to, uptr from, usize size);

template<typename T>
Result<void> copy_from_user(T& to, UserPtr<T> from)
{
    return copy_from_user(&to, from.address(), sizeof(T));
}
template<typename T>
Result<void> copy_to_user(UserPtr<T> to, const T& from)
{
    return copy_to_user(to.address(), &from, sizeof(T));
}
// Arrays: `count` elements, with the byte count checked for overflow.
template<typename T>
Result<void> copy_array_from_user(T* to, UserPtr<T> from, usize count)
{
    if (count > ~usize { 0 } / sizeof(T))
        return Errno::FAULT;
    return copy_from_user(to, from.address(), count * sizeof(T));
}
template<typename T>
Result<void> copy_array_to_user(UserPtr<T> to, const T* from, usize count)
{
    if (count > ~usize { 0 } / sizeof(T))
        return Errno::FAULT;
    return copy_to_user(to.address(), from, count * sizeof(T));
}

// Lets arch's page-fault path resolve faults in the active address space (demand paging, copy-on-write).
void install_page_fault_handler();

} // namespace mm
