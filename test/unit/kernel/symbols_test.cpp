// symbolize(): lookups in tables laid out as kernel/symbols.hpp documents, and every way a table can be
// malformed (the table comes from a build step and a bad one must not crash a panic report).
#include <catch2/catch_test_macros.hpp>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "kernel/symbols.hpp"
#include "symbol_table_builder.hpp"

namespace {

void patch_u32(std::vector<u8>& table, usize offset, u32 value)
{
    for (int i = 0; i < 4; ++i)
        table[offset + static_cast<usize>(i)] = static_cast<u8>(value >> (8 * i));
}

SymbolTableBytes bytes(const std::vector<u8>& table) { return { table.data(), table.size() }; }

constexpr usize kHeaderSize = 12;
constexpr usize kEntrySize = 8;

const std::vector<std::pair<u32, std::string>> kSymbols = {
    { 0xC0100000, "_start" },
    { 0xC0100040, "kernel_main" },
    { 0xC0100200, "panic" },
    { 0xC0100500, "log_message(LogLevel, char const*, ...)" },
};

} // namespace

TEST_CASE("symbols: the magic spells KSYM in little-endian bytes", "[kernel][symbols]")
{
    auto table = build_symbol_table(kSymbols);
    CHECK(std::string(table.begin(), table.begin() + 4) == "KSYM");
}

TEST_CASE("symbolize finds the function containing an address", "[kernel][symbols]")
{
    auto table = build_symbol_table(kSymbols);

    auto start = symbolize(bytes(table), 0xC0100000);
    REQUIRE_FALSE(start.is_error());
    CHECK(std::string(start.value().name) == "_start");
    CHECK(start.value().address == 0xC0100000);
    CHECK(start.value().offset == 0);

    auto inside = symbolize(bytes(table), 0xC0100041);
    REQUIRE_FALSE(inside.is_error());
    CHECK(std::string(inside.value().name) == "kernel_main");
    CHECK(inside.value().offset == 1);

    auto last_byte = symbolize(bytes(table), 0xC01001FF); // one before the next symbol
    REQUIRE_FALSE(last_byte.is_error());
    CHECK(std::string(last_byte.value().name) == "kernel_main");
    CHECK(last_byte.value().offset == 0x1BF);

    auto exact = symbolize(bytes(table), 0xC0100200);
    REQUIRE_FALSE(exact.is_error());
    CHECK(std::string(exact.value().name) == "panic");

    // Past the last symbol the table has no end address: the last function is the answer.
    auto past = symbolize(bytes(table), 0xC0100600);
    REQUIRE_FALSE(past.is_error());
    CHECK(std::string(past.value().name) == "log_message(LogLevel, char const*, ...)");
    CHECK(past.value().offset == 0x100);

    // The name points into the table itself.
    CHECK(reinterpret_cast<const u8*>(past.value().name) >= table.data());
    CHECK(reinterpret_cast<const u8*>(past.value().name) < table.data() + table.size());
}

TEST_CASE("symbolize: before the first symbol or in an empty table is ENOENT", "[kernel][symbols]")
{
    auto table = build_symbol_table(kSymbols);
    CHECK(symbolize(bytes(table), 0xC00FFFFF).error() == Errno::NOENT);
    CHECK(symbolize(bytes(table), 0).error() == Errno::NOENT);

    auto empty = build_symbol_table({});
    CHECK(empty.size() == kHeaderSize);
    CHECK(symbolize(bytes(empty), 0xC0100000).error() == Errno::NOENT);

    // No table at all (a kernel image without .ksyms).
    CHECK(symbolize({ nullptr, 0 }, 0xC0100000).error() == Errno::NOENT);
}

TEST_CASE("symbolize agrees with a linear search over many symbols", "[kernel][symbols]")
{
    std::mt19937 random(99);
    std::vector<std::pair<u32, std::string>> symbols;
    u32 address = 0x1000;
    for (int i = 0; i < 300; ++i) {
        address += 1 + random() % 0x400;
        symbols.emplace_back(address, "f" + std::to_string(i));
    }
    auto table = build_symbol_table(symbols);
    for (int probe = 0; probe < 5000; ++probe) {
        u32 query = 0x1000 + static_cast<u32>(random() % (address - 0x1000 + 0x800));
        const std::pair<u32, std::string>* expected = nullptr;
        for (const auto& symbol : symbols)
            if (symbol.first <= query)
                expected = &symbol;
        auto result = symbolize(bytes(table), query);
        if (!expected) {
            REQUIRE(result.error() == Errno::NOENT);
            continue;
        }
        REQUIRE_FALSE(result.is_error());
        REQUIRE(std::string(result.value().name) == expected->second);
        REQUIRE(result.value().address == expected->first);
        REQUIRE(result.value().offset == query - expected->first);
    }
}

TEST_CASE("symbolize rejects a table with a bad magic or header as EINVAL", "[kernel][symbols]")
{
    auto table = build_symbol_table(kSymbols);
    auto bad_magic = table;
    bad_magic[0] = 'k';
    CHECK(symbolize(bytes(bad_magic), 0xC0100000).error() == Errno::INVAL);

    // Shorter than the header.
    CHECK(symbolize({ table.data(), 4 }, 0xC0100000).error() == Errno::INVAL);
    CHECK(symbolize({ table.data(), kHeaderSize - 1 }, 0xC0100000).error() == Errno::INVAL);
}

TEST_CASE("symbolize rejects counts and sizes that do not fit the table as EINVAL", "[kernel][symbols]")
{
    auto table = build_symbol_table(kSymbols);

    auto one_too_many = table;
    patch_u32(one_too_many, 4, static_cast<u32>(kSymbols.size() + 1));
    CHECK(symbolize(bytes(one_too_many), 0xC0100000).error() == Errno::INVAL);

    // A count whose entries would overflow 32 bits when multiplied by the entry size.
    auto huge = table;
    patch_u32(huge, 4, 0x20000001);
    CHECK(symbolize(bytes(huge), 0xC0100000).error() == Errno::INVAL);
    patch_u32(huge, 4, 0xFFFFFFFF);
    CHECK(symbolize(bytes(huge), 0xC0100000).error() == Errno::INVAL);

    auto strings_too_long = table;
    patch_u32(strings_too_long, 8, 0xFFFFFFFF);
    CHECK(symbolize(bytes(strings_too_long), 0xC0100000).error() == Errno::INVAL);

    // The table cut short in the middle of the names.
    CHECK(symbolize({ table.data(), table.size() - 3 }, 0xC0100000).error() == Errno::INVAL);
    // ... or in the middle of the entries.
    CHECK(symbolize({ table.data(), kHeaderSize + kEntrySize + 4 }, 0xC0100000).error() == Errno::INVAL);
}

TEST_CASE("symbolize rejects a name offset outside the strings as EINVAL", "[kernel][symbols]")
{
    auto table = build_symbol_table(kSymbols);
    usize strings_size = table.size() - kHeaderSize - kSymbols.size() * kEntrySize;
    auto bad = table;
    patch_u32(bad, kHeaderSize + 1 * kEntrySize + 4, static_cast<u32>(strings_size)); // kernel_main's name
    CHECK(symbolize(bytes(bad), 0xC0100040).error() == Errno::INVAL);
    patch_u32(bad, kHeaderSize + 1 * kEntrySize + 4, 0xFFFFFFFF);
    CHECK(symbolize(bytes(bad), 0xC0100040).error() == Errno::INVAL);
    // Entries that are not looked up are not judged: other lookups still work.
    CHECK(std::string(symbolize(bytes(bad), 0xC0100200).value().name) == "panic");
}

TEST_CASE("symbolize rejects a name without its NUL as EINVAL", "[kernel][symbols]")
{
    auto table = build_symbol_table({ { 0x1000, "first" }, { 0x2000, "last" } });
    table.back() = 'X'; // the final NUL of "last"
    CHECK(symbolize(bytes(table), 0x2004).error() == Errno::INVAL);
    CHECK(std::string(symbolize(bytes(table), 0x1004).value().name) == "first");
}
