// Builds kernel symbol tables in the layout kernel/symbols.hpp documents, as tools/gen-ksyms.py writes them.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "kernel/symbols.hpp"

inline void put_le32(std::vector<u8>& out, u32 value)
{
    for (int i = 0; i < 4; ++i)
        out.push_back(static_cast<u8>(value >> (8 * i)));
}

// "KSYM", count, strings size, {address, name offset} per symbol (in the order given), then the names.
inline std::vector<u8> build_symbol_table(const std::vector<std::pair<u32, std::string>>& symbols)
{
    std::vector<u8> names;
    std::vector<u8> table;
    put_le32(table, kSymbolTableMagic);
    put_le32(table, static_cast<u32>(symbols.size()));
    for (const auto& symbol : symbols)
        names.insert(names.end(), symbol.second.c_str(), symbol.second.c_str() + symbol.second.size() + 1);
    put_le32(table, static_cast<u32>(names.size()));
    u32 name_offset = 0;
    for (const auto& [address, name] : symbols) {
        put_le32(table, address);
        put_le32(table, name_offset);
        name_offset += static_cast<u32>(name.size() + 1);
    }
    table.insert(table.end(), names.begin(), names.end());
    return table;
}
