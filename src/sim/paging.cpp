// Simulated page tables: a map from user page to mapping, plus one page-allocator page per 4 MiB of address
// space in use, as the i386 tables would take, so that memory accounting and ENOMEM behave as on the machine.
#include <map>
#include <new>
#include <stdexcept>

#include "mm/physical_memory.hpp"
#include "sim/sim.hpp"

struct arch::PageTables {
    PhysAddr directory;
    std::map<uptr, arch::PageMapping> pages;
    std::map<uptr, PhysAddr> tables; // by 4 MiB slot
};

namespace {

arch::PageTables* g_active;
long g_live_tables;

void check_user_page(uptr virt)
{
    if (virt >= arch::kUserEnd || virt % arch::kPageBytes)
        throw std::logic_error("sim: page-table operation on a non-user or unaligned address");
}

} // namespace

namespace sim {

arch::PageTables* active_page_tables() { return g_active; }
long live_page_tables() { return g_live_tables; }
void reset_paging() { g_active = nullptr; }

} // namespace sim

namespace arch {

Result<PageTables*> create_page_tables()
{
    PhysAddr directory = TRY(mm::page_allocator().allocate(0));
    auto* tables = new PageTables { directory, {}, {} };
    ++g_live_tables;
    return tables;
}

void destroy_page_tables(PageTables* tables)
{
    if (tables == g_active)
        throw std::logic_error("sim: destroying the active page tables");
    for (auto& [slot, table] : tables->tables)
        mm::page_allocator().free(table, 0);
    mm::page_allocator().free(tables->directory, 0);
    delete tables;
    --g_live_tables;
}

Result<void> map_page(PageTables* tables, uptr virt, PhysAddr phys, u32 access)
{
    check_user_page(virt);
    uptr slot = virt >> 22;
    if (!tables->tables.count(slot))
        tables->tables[slot] = TRY(mm::page_allocator().allocate(0));
    tables->pages[virt] = { phys & ~static_cast<PhysAddr>(kPageBytes - 1), access & (kPageWritable | kPageUser) };
    return {};
}

void unmap_page(PageTables* tables, uptr virt)
{
    check_user_page(virt);
    tables->pages.erase(virt);
}

bool protect_page(PageTables* tables, uptr virt, u32 access)
{
    check_user_page(virt);
    auto it = tables->pages.find(virt);
    if (it == tables->pages.end())
        return false;
    it->second.access = access & (kPageWritable | kPageUser);
    return true;
}

bool query_page(PageTables* tables, uptr virt, PageMapping& out)
{
    check_user_page(virt);
    auto it = tables->pages.find(virt);
    if (it == tables->pages.end())
        return false;
    out = it->second;
    return true;
}

void activate_page_tables(PageTables* tables) { g_active = tables; }

} // namespace arch
