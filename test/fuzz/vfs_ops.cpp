// libFuzzer target driving random sequences of VFS calls (mkdir, create, write, truncate, unlink, rmdir,
// rename, link, symlink, chdir) on a tmpfs, against a plain host model of what Linux would do: a map from
// absolute path to node. Every call's errno must match the model's, and after every call the whole tree
// (names, types, link counts, file contents) must be the model's. Paths are made of the names a, b and c,
// so calls collide often; symlinks all point at a path that never exists, so the model needs no link walk.
#include <map>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string>
#include <vector>

#include "fs/namei.hpp"
#include "fs/tmpfs/tmpfs.hpp"
#include "fs/vfs.hpp"
#include "kernel/panic.hpp"
#include "mm/kmalloc.hpp"
#include "mm/physical_memory.hpp"
#include "fuzz_machine.hpp"
#include "sim/sim.hpp"

namespace {

using fuzz::machine;
using fuzz::require;

constexpr const char* kLinkTarget = "/zz/none";

// VFS_OPS_TRACE=1 in the environment prints each call, to read a crash's input.
const bool g_trace = getenv("VFS_OPS_TRACE") != nullptr;


// --- the model ---
enum class Type { File, Dir, Symlink };
struct Node {
    Type type;
    int id; // files: shared by hard links
};
struct Model {
    std::map<std::string, Node> nodes; // "/" is implicit
    std::map<int, std::string> contents;
    int next_id = 1;
    std::string cwd = "/";

    static std::string parent_of(const std::string& path)
    {
        return path.substr(0, path.rfind('/')).empty() ? "/" : path.substr(0, path.rfind('/'));
    }
    const Node* find(const std::string& path) const
    {
        auto it = nodes.find(path);
        return it == nodes.end() ? nullptr : &it->second;
    }
    bool is_dir(const std::string& path) const
    {
        if (path == "/")
            return true;
        const Node* node = find(path);
        return node && node->type == Type::Dir;
    }
    // The errno of walking to the parent of `path`, or 0.
    Errno parent_error(const std::string& path) const
    {
        std::string prefix;
        usize start = 1;
        for (;;) {
            usize slash = path.find('/', start);
            if (slash == std::string::npos)
                return Errno {};
            prefix = path.substr(0, slash);
            const Node* node = find(prefix);
            if (!node)
                return Errno::NOENT;
            if (node->type == Type::Symlink)
                return Errno::NOENT; // dangling by construction
            if (node->type == Type::File)
                return Errno::NOTDIR;
            start = slash + 1;
        }
    }
    bool has_children(const std::string& path) const
    {
        auto it = nodes.lower_bound(path + "/");
        return it != nodes.end() && it->first.compare(0, path.size() + 1, path + "/") == 0;
    }
    int nlink(const std::string& path) const
    {
        const Node* node = find(path);
        if (path == "/" || node->type == Type::Dir) {
            int links = 2;
            std::string prefix = path == "/" ? "/" : path + "/";
            for (auto& [name, child] : nodes) {
                if (name.compare(0, prefix.size(), prefix) == 0 && name.find('/', prefix.size()) == std::string::npos
                    && name.size() > prefix.size() && child.type == Type::Dir)
                    ++links;
            }
            return links;
        }
        int links = 0; // hard links share an id (symlinks can be hard-linked too)
        for (auto& [name, other] : nodes)
            links += other.type != Type::Dir && other.id == node->id;
        return links;
    }
    void drop_if_unlinked(int id)
    {
        for (auto& [name, node] : nodes) {
            if (node.type == Type::File && node.id == id)
                return;
        }
        contents.erase(id);
    }
};

struct Input {
    const u8* data;
    usize size;
    usize at = 0;
    bool empty() const { return at >= size; }
    u8 byte() { return at < size ? data[at++] : 0; }
    u32 number(u32 limit) { return (static_cast<u32>(byte()) << 8 | byte()) % limit; }
    std::string path()
    {
        u8 shape = byte();
        int depth = 1 + shape % 3;
        std::string result;
        for (int i = 0; i < depth; ++i)
            result += std::string("/") + "abc"[(shape >> (2 + 2 * i)) % 3];
        return result;
    }
};

Errno error_of(const Result<void>& result) { return result.is_error() ? result.error() : Errno {}; }

struct Harness {
    fs::Caller caller;
    Model& model;

    // The model's answer for open(path, O_WRONLY [| O_CREAT]).
    Errno open_error(const std::string& path, bool create)
    {
        if (Errno e = model.parent_error(path); e != Errno {})
            return e;
        const Node* node = model.find(path);
        if (!node)
            return create ? Errno {} : Errno::NOENT;
        if (node->type == Type::Dir)
            return Errno::ISDIR;
        if (node->type == Type::Symlink)
            return Errno::NOENT; // create would make /zz/none, whose parent is missing
        return Errno {};
    }

    void op_mkdir(const std::string& path)
    {
        Errno got = error_of(fs::mkdirat(caller, fs::kAtFdCwd, path.c_str(), 0755));
        Errno want = model.parent_error(path);
        if (want == Errno {} && model.find(path))
            want = Errno::EXIST;
        require(got == want);
        if (want == Errno {})
            model.nodes[path] = Node { Type::Dir, 0 };
    }

    void op_write(const std::string& path, bool create, u32 offset, const std::string& bytes)
    {
        auto file = fs::open_file(caller, fs::kAtFdCwd, path.c_str(), fs::kOWrOnly | (create ? fs::kOCreat : 0), 0644);
        Errno want = open_error(path, create);
        require((file.is_error() ? file.error() : Errno {}) == want);
        if (want != Errno {})
            return;
        if (!model.find(path)) {
            model.nodes[path] = Node { Type::File, model.next_id };
            model.contents[model.next_id++] = "";
        }
        auto written = file.value()->pwrite(bytes.data(), bytes.size(), offset);
        require(!written.is_error() && written.value() == bytes.size());
        std::string& content = model.contents[model.find(path)->id];
        if (!bytes.empty()) {
            if (content.size() < offset + bytes.size())
                content.resize(offset + bytes.size(), '\0');
            content.replace(offset, bytes.size(), bytes);
        }
    }

    void op_truncate(const std::string& path, u32 length)
    {
        Errno got = error_of(fs::truncate(caller, path.c_str(), length));
        Errno want = open_error(path, false);
        require(got == want);
        if (want == Errno {})
            model.contents[model.find(path)->id].resize(length, '\0');
    }

    void op_unlink(const std::string& path)
    {
        Errno got = error_of(fs::unlinkat(caller, fs::kAtFdCwd, path.c_str(), 0));
        Errno want = model.parent_error(path);
        const Node* node = model.find(path);
        if (want == Errno {})
            want = !node ? Errno::NOENT : node->type == Type::Dir ? Errno::ISDIR : Errno {};
        require(got == want);
        if (want == Errno {}) {
            int id = node->type == Type::File ? node->id : 0;
            model.nodes.erase(path);
            if (id)
                model.drop_if_unlinked(id);
        }
    }

    void op_rmdir(const std::string& path)
    {
        Errno got = error_of(fs::unlinkat(caller, fs::kAtFdCwd, path.c_str(), fs::kAtRemoveDir));
        Errno want = model.parent_error(path);
        const Node* node = model.find(path);
        if (want == Errno {}) {
            if (!node)
                want = Errno::NOENT;
            else if (node->type != Type::Dir)
                want = Errno::NOTDIR;
            else if (model.has_children(path))
                want = Errno::NOTEMPTY;
        }
        require(got == want);
        if (want == Errno {}) {
            model.nodes.erase(path);
            if (model.cwd == path)
                model.cwd = ""; // removed
        }
    }

    Errno rename_error(const std::string& from, const std::string& to)
    {
        if (Errno e = model.parent_error(from); e != Errno {})
            return e;
        if (Errno e = model.parent_error(to); e != Errno {})
            return e;
        const Node* source = model.find(from);
        if (!source)
            return Errno::NOENT;
        const Node* target = model.find(to);
        bool source_dir = source->type == Type::Dir;
        if (source_dir && (to == from || to.compare(0, from.size() + 1, from + "/") == 0) && to != from)
            return Errno::INVAL;
        if (target && target->type == Type::Dir && from.compare(0, to.size() + 1, to + "/") == 0)
            return Errno::NOTEMPTY;
        if (to == from
            || (target && source->type != Type::Dir && target->type != Type::Dir && target->id == source->id))
            return Errno {};
        if (target) {
            bool target_dir = target->type == Type::Dir;
            if (source_dir && !target_dir)
                return Errno::NOTDIR;
            if (!source_dir && target_dir)
                return Errno::ISDIR;
            if (target_dir && model.has_children(to))
                return Errno::NOTEMPTY;
        }
        return Errno {};
    }

    void op_rename(const std::string& from, const std::string& to)
    {
        Errno got = error_of(fs::renameat2(caller, fs::kAtFdCwd, from.c_str(), fs::kAtFdCwd, to.c_str(), 0));
        Errno want = rename_error(from, to);
        require(got == want);
        if (want != Errno {})
            return;
        const Node* source = model.find(from);
        const Node* target = model.find(to);
        if (to == from
            || (target && target->type != Type::Dir && source->type != Type::Dir && target->id == source->id))
            return;
        if (target && target->type == Type::Dir && model.cwd == to)
            model.cwd = ""; // the replaced directory was the cwd: it is gone
        Node moving = *source;
        int dropped = target && target->type == Type::File ? target->id : 0;
        model.nodes.erase(to);
        model.nodes.erase(from);
        model.nodes[to] = moving;
        if (moving.type == Type::Dir) {
            std::map<std::string, Node> moved;
            for (auto it = model.nodes.begin(); it != model.nodes.end();) {
                if (it->first.compare(0, from.size() + 1, from + "/") == 0) {
                    moved[to + it->first.substr(from.size())] = it->second;
                    it = model.nodes.erase(it);
                } else {
                    ++it;
                }
            }
            model.nodes.insert(moved.begin(), moved.end());
            if (model.cwd == from || model.cwd.compare(0, from.size() + 1, from + "/") == 0)
                model.cwd = to + model.cwd.substr(from.size());
        }
        if (dropped)
            model.drop_if_unlinked(dropped);
    }

    void op_link(const std::string& from, const std::string& to)
    {
        Errno got = error_of(fs::linkat(caller, fs::kAtFdCwd, from.c_str(), fs::kAtFdCwd, to.c_str(), 0));
        Errno want = model.parent_error(from);
        const Node* source = model.find(from);
        if (want == Errno {} && !source)
            want = Errno::NOENT;
        if (want == Errno {})
            want = model.parent_error(to);
        if (want == Errno {} && model.find(to))
            want = Errno::EXIST;
        if (want == Errno {} && source->type == Type::Dir)
            want = Errno::PERM;
        require(got == want);
        if (want == Errno {}) {
            model.nodes[to] = *source;
        }
    }

    void op_symlink(const std::string& path)
    {
        Errno got = error_of(fs::symlinkat(caller, kLinkTarget, fs::kAtFdCwd, path.c_str()));
        Errno want = model.parent_error(path);
        if (want == Errno {} && model.find(path))
            want = Errno::EXIST;
        require(got == want);
        if (want == Errno {})
            model.nodes[path] = Node { Type::Symlink, model.next_id++ };
    }

    void op_chdir(const std::string& path)
    {
        Errno got = error_of(fs::chdir(caller, path.c_str()));
        Errno want = model.parent_error(path);
        const Node* node = model.find(path);
        if (want == Errno {} && path != "/")
            want = !node || node->type == Type::Symlink ? Errno::NOENT
                : node->type == Type::File              ? Errno::NOTDIR
                                                        : Errno {};
        require(got == want);
        if (want == Errno {})
            model.cwd = path;
        char buffer[fs::kPathMax];
        auto length = fs::getcwd(caller, buffer, sizeof buffer);
        if (model.cwd.empty())
            require(length.is_error() && length.error() == Errno::NOENT);
        else
            require(!length.is_error() && std::string(buffer) == model.cwd);
    }

    // The whole tree equals the model.
    struct Lister final : fs::DirEntrySink {
        std::vector<std::string> names;
        bool emit(const fs::DirEntry& entry) override
        {
            names.emplace_back(entry.name.characters(), entry.name.length());
            return true;
        }
    };
    void check_tree(fs::Inode& dir, const std::string& path, usize& seen)
    {
        Lister lister;
        u64 offset = 0;
        require(!dir.iterate(offset, lister).is_error());
        fs::Stat st {};
        dir.stat(st);
        require(static_cast<int>(st.nlink) == model.nlink(path));
        for (usize i = 2; i < lister.names.size(); ++i) {
            std::string child_path = (path == "/" ? "" : path) + "/" + lister.names[i];
            const Node* node = model.find(child_path);
            require(node != nullptr);
            ++seen;
            auto child = dir.lookup(lister.names[i].c_str());
            require(!child.is_error());
            fs::Inode& inode = *child.value();
            inode.stat(st);
            require(static_cast<int>(st.nlink) == model.nlink(child_path));
            switch (node->type) {
            case Type::Dir:
                require(inode.is_directory());
                check_tree(inode, child_path, seen);
                break;
            case Type::Symlink: {
                require(inode.is_symlink());
                char target[64];
                auto length = inode.readlink(target, sizeof target);
                require(!length.is_error() && std::string(target, length.value()) == kLinkTarget);
                break;
            }
            case Type::File: {
                require(inode.is_regular());
                const std::string& want = model.contents[node->id];
                require(st.size == want.size());
                std::string got(want.size(), '?');
                auto read = inode.read(0, got.data(), got.size());
                require(!read.is_error() && read.value() == want.size() && got == want);
                break;
            }
            }
        }
    }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    fuzz::Machine& m = machine();
    {
        auto source = fs::tmpfs::create("");
        require(!source.is_error());
        RefPtr<fs::Mount> mount = fs::Mount::create_root(source.release_value()).release_value();
        auto context = fs::FsContext::create(mount->root_path()).release_value();
        auto fds = fs::FdTable::create().release_value();
        fs::Credentials root {};
        Model model;
        Harness harness { fs::Caller { *context, *fds, root, 1024 }, model };
        Input input { data, size };
        for (int step = 0; step < 64 && !input.empty(); ++step) {
            u8 op = input.byte() % 11;
            std::string path = input.path();
            if (g_trace)
                fprintf(stderr, "step %d op %d path %s cwd %s\n", step, op, path.c_str(), model.cwd.c_str());
            switch (op) {
            case 0:
                harness.op_mkdir(path);
                break;
            case 1:
            case 2: {
                u32 offset = input.number(10000);
                std::string bytes(input.number(300), static_cast<char>('A' + step % 26));
                harness.op_write(path, op == 1, offset, bytes);
                break;
            }
            case 3:
                harness.op_truncate(path, input.number(9000));
                break;
            case 4:
                harness.op_unlink(path);
                break;
            case 5:
                harness.op_rmdir(path);
                break;
            case 6:
                harness.op_rename(path, input.path());
                break;
            case 7:
                harness.op_link(path, input.path());
                break;
            case 8:
                harness.op_symlink(path);
                break;
            case 9:
                harness.op_chdir(path);
                break;
            case 10:
                harness.op_chdir("/");
                break;
            }
            usize seen = 0;
            harness.check_tree(*mount->root(), "/", seen);
            require(seen == model.nodes.size());
        }
    }
    mm::kmalloc_shrink();
    require(mm::page_allocator().free_pages() == m.free_pages);
    return 0;
}
