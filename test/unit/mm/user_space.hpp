// A simulated machine with RAM, a page allocator and one active address space, plus user-memory helpers,
// for tests of address spaces, the memory system calls and user-memory copies.
#pragma once

#include "mm/address_space.hpp"
#include "mm/mmap.hpp"
#include "mm/uaccess.hpp"
#include "sim_ram.hpp"

struct UserSpace : SimRam {
    OwnPtr<mm::AddressSpace> space;

    explicit UserSpace(usize megabytes = 16) : SimRam(megabytes)
    {
        mm::install_page_fault_handler();
        space = mm::AddressSpace::create().release_value();
        space->activate();
    }
    ~UserSpace() { space.reset(); }

    uptr map(usize length, u32 prot = mm::kProtRead | mm::kProtWrite, u32 flags = mm::kMapPrivate | mm::kMapAnonymous,
        uptr address = 0)
    {
        auto mapped = mm::do_mmap(*space, address, length, prot, flags);
        REQUIRE_FALSE(mapped.is_error());
        return mapped.value();
    }

    // One byte through copy_from_user / copy_to_user, as a system call would reach it.
    bool can_read(uptr address)
    {
        u8 byte;
        return !mm::raw::copy_from_user(&byte, address, 1).is_error();
    }
    bool can_write(uptr address, u8 value = 0x5A) { return !mm::raw::copy_to_user(address, &value, 1).is_error(); }
    u8 read(uptr address)
    {
        u8 byte = 0;
        REQUIRE_FALSE(mm::raw::copy_from_user(&byte, address, 1).is_error());
        return byte;
    }
    void write(uptr address, u8 value) { REQUIRE_FALSE(mm::raw::copy_to_user(address, &value, 1).is_error()); }

    usize area_count() const { return space->areas().size(); }
    void check() const
    {
        const char* violation = space->invariant_violation();
        INFO((violation ? violation : "none"));
        REQUIRE(violation == nullptr);
    }
};
