// Symbol lookup by binary search over the embedded table.
#include "kernel/symbols.hpp"

namespace {

u32 read_u32(const u8* p) { return p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<u32>(p[3]) << 24); }

constexpr usize kHeaderSize = 12;
constexpr usize kEntrySize = 8;

} // namespace

Result<Symbol> symbolize(SymbolTableBytes table, uptr address)
{
    if (table.size == 0)
        return Errno::NOENT;
    if (table.size < kHeaderSize || read_u32(table.data) != kSymbolTableMagic)
        return Errno::INVAL;
    u32 count = read_u32(table.data + 4);
    u32 strings_size = read_u32(table.data + 8);
    usize available = table.size - kHeaderSize;
    if (count > available / kEntrySize || strings_size != available - count * kEntrySize)
        return Errno::INVAL;
    const u8* entries = table.data + kHeaderSize;
    const char* strings = reinterpret_cast<const char*>(entries + count * kEntrySize);

    // The last entry whose address is <= address.
    usize low = 0, high = count;
    while (low < high) {
        usize mid = low + (high - low) / 2;
        if (read_u32(entries + mid * kEntrySize) <= address)
            low = mid + 1;
        else
            high = mid;
    }
    if (low == 0)
        return Errno::NOENT;
    const u8* entry = entries + (low - 1) * kEntrySize;
    u32 symbol_address = read_u32(entry);
    u32 name_offset = read_u32(entry + 4);
    if (name_offset >= strings_size)
        return Errno::INVAL;
    for (usize i = name_offset; i < strings_size; ++i)
        if (strings[i] == '\0')
            return Symbol { strings + name_offset, symbol_address, static_cast<u32>(address - symbol_address) };
    return Errno::INVAL; // the name runs off the end of the table
}
