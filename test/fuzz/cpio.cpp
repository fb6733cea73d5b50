// libFuzzer target for fs::unpack_cpio: the fuzz bytes are an initramfs archive. Each input is unpacked into a
// fresh tmpfs on a simulated machine (its RAM set up once); the resulting tree must be well formed (no ".." or
// "/" in names, link counts that add up, only known file types) and, once dropped, give back every page.
#include <stddef.h>
#include <stdint.h>
#include <vector>

#include "fs/cpio.hpp"
#include "fs/tmpfs/tmpfs.hpp"
#include "kernel/log.hpp"
#include "kernel/panic.hpp"
#include "mm/kmalloc.hpp"
#include "mm/physical_memory.hpp"
#include "fuzz_machine.hpp"
#include "sim/sim.hpp"

namespace {

using fuzz::machine;
using fuzz::require;



// Collects a directory's entries.
struct Names final : fs::DirEntrySink {
    struct Item {
        char name[fs::kNameMax + 1];
        usize length;
        u64 ino;
        u8 type;
    };
    std::vector<Item> items;
    bool emit(const fs::DirEntry& entry) override
    {
        Item item {};
        require(entry.name.length() <= fs::kNameMax);
        item.length = entry.name.copy_to(item.name, sizeof item.name);
        item.ino = entry.ino;
        item.type = entry.type;
        items.push_back(item);
        return true;
    }
};

// Checks the tree under `dir` and returns how many directories sit directly in it.
void check_directory(fs::Inode& dir, int depth)
{
    require(depth < 4096);
    Names names;
    u64 offset = 0;
    require(!dir.iterate(offset, names).is_error());
    require(names.items.size() >= 2);
    u32 subdirectories = 0;
    for (usize i = 2; i < names.items.size(); ++i) {
        auto& item = names.items[i];
        StringView name(item.name, item.length);
        require(!name.is_empty() && !(name == ".") && !(name == ".."));
        require(name.find('/') == StringView::kNotFound);
        auto child = dir.lookup(name);
        require(!child.is_error());
        fs::Inode& inode = *child.value();
        require(inode.ino() == item.ino);
        require(fs::dirent_type(inode.mode()) == item.type);
        u32 type = inode.type();
        require(type == fs::kIfDir || type == fs::kIfReg || type == fs::kIfLnk || type == fs::kIfChr
            || type == fs::kIfBlk || type == fs::kIfIfo || type == fs::kIfSock);
        if (type == fs::kIfDir) {
            ++subdirectories;
            auto up = inode.parent();
            require(!up.is_error() && up.value().get() == &dir);
            check_directory(inode, depth + 1);
        } else {
            require(inode.attributes().nlink >= 1);
        }
        if (type == fs::kIfLnk) {
            char target[fs::kPathMax];
            auto length = inode.readlink(target, sizeof target);
            require(!length.is_error() && length.value() > 0 && length.value() == inode.attributes().size);
        }
    }
    require(dir.attributes().nlink == 2 + subdirectories);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    fuzz::Machine& m = machine();
    log_reset();
    // An exact-size heap copy: a read one byte past the archive is an ASan report.
    std::vector<u8> archive(data, data + size);
    {
        auto source = fs::tmpfs::create("size=8m");
        require(!source.is_error());
        auto mount = fs::Mount::create_root(source.release_value());
        require(!mount.is_error());
        fs::Path root = mount.value()->root_path();
        auto summary = fs::unpack_cpio(root, archive.empty() ? nullptr : archive.data(), size);
        require(!summary.is_error());
        // Every header is at least 110 bytes: the counts cannot exceed what fits.
        require(
            u64 { summary.value().unpacked } + summary.value().skipped + summary.value().archives <= size / 110 + 1);
        check_directory(*root.inode, 0);
    }
    mm::kmalloc_shrink();
    require(mm::page_allocator().free_pages() == m.free_pages);
    return 0;
}
