// The default open-file operations (the inode's own data) and the hook through which device nodes and FIFOs
// find theirs.
#include "fs/file_operations.hpp"

#include "fs/inode.hpp"
#include "fs/open_file.hpp"
#include "mm/mapped_pages.hpp"

namespace fs {

Result<usize> FileOperations::read(OpenFile& file, u64 offset, mm::OutBuffer& to)
{
    return file.inode().read(offset, to);
}

Result<usize> FileOperations::write(OpenFile& file, u64 offset, mm::InBuffer& from)
{
    return file.inode().write(offset, from);
}

Result<mm::VmBacking*> FileOperations::mmap_pages(OpenFile& file)
{
    mm::VmBacking* pages = file.inode().is_regular() ? file.inode().file_mapping() : nullptr;
    if (!pages)
        return Errno::NODEV;
    return pages;
}

namespace {

class InodeFileOperations final : public FileOperations { };

} // namespace

FileOperations& inode_file_operations()
{
    static InodeFileOperations operations;
    return operations;
}

} // namespace fs
