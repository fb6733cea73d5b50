// User-memory copies over the arch's fault-recovering primitives.
#include "mm/uaccess.hpp"

#include "mm/address_space.hpp"

namespace mm {

namespace {

arch::FaultOutcome resolve_fault(uptr address, bool write, bool present)
{
    AddressSpace* space = AddressSpace::active();
    if (!space)
        return arch::FaultOutcome::Segv;
    auto handled = space->handle_fault(address, { write, present });
    if (!handled.is_error())
        return arch::FaultOutcome::Resolved;
    // Nothing mapped, the protection forbids it, or no memory: SIGSEGV. A backing's failure (past the end of a
    // file, a full tmpfs, an I/O error) is SIGBUS, as Linux's VM_FAULT_SIGBUS.
    Errno error = handled.error();
    bool segv = error == Errno::FAULT || error == Errno::ACCES || error == Errno::NOMEM;
    return segv ? arch::FaultOutcome::Segv : arch::FaultOutcome::Bus;
}

} // namespace

namespace raw {

Result<void> copy_from_user(void* to, uptr from, usize length)
{
    if (!is_user_readable_range(from, length))
        return Errno::FAULT;
    if (arch::copy_from_user_raw(to, from, length) != 0)
        return Errno::FAULT;
    return {};
}

Result<void> copy_to_user(uptr to, const void* from, usize length)
{
    if (!is_user_range(to, length))
        return Errno::FAULT;
    if (arch::copy_to_user_raw(to, from, length) != 0)
        return Errno::FAULT;
    return {};
}

usize copy_from_user_partial(void* to, uptr from, usize length)
{
    if (!is_user_readable_range(from, length))
        return 0;
    return length - arch::copy_from_user_raw(to, from, length);
}

} // namespace raw

Result<usize> copy_string_from_user(char* to, UserIn<char> from_pointer, usize size)
{
    uptr from = from_pointer.address();
    if (size == 0)
        return Errno::NAMETOOLONG;
    // Only as much as lies in user space may be read; a string running past it faults there.
    usize reachable = from < arch::kUserEnd ? arch::kUserEnd - from : arch::user_readable_above_end(from);
    if (reachable == 0)
        return Errno::FAULT;
    usize limit = size < reachable ? size : reachable;
    isize length = arch::copy_string_from_user_raw(to, from, limit);
    if (length < 0)
        return Errno::FAULT;
    if (static_cast<usize>(length) == limit)
        return limit < size ? Errno::FAULT : Errno::NAMETOOLONG;
    return static_cast<usize>(length);
}

void install_page_fault_handler() { arch::set_page_fault_handler(resolve_fault); }

} // namespace mm
