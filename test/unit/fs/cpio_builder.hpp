// Builds newc cpio archives byte by byte for tests, with hooks to corrupt any field.
#pragma once

// Entries are written as short aggregate initializers; the fields left out keep their defaults on purpose.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include <cstdio>
#include <string>

namespace fs_test {

struct CpioEntry {
    std::string name;
    unsigned mode = 0100644;
    std::string data;
    unsigned ino = 0;
    unsigned uid = 0, gid = 0, nlink = 1, mtime = 0;
    unsigned dev_major = 0, dev_minor = 0, rdev_major = 0, rdev_minor = 0;
    long name_size = -1; // override namesize (-1: the real one)
    long file_size = -1; // override filesize
    long check = -1; // override the checksum (070702)
};

class CpioBuilder {
public:
    explicit CpioBuilder(bool with_checksums = false)
        : m_magic(with_checksums ? "070702" : "070701")
    {
    }

    CpioBuilder& add(const CpioEntry& entry)
    {
        unsigned sum = 0;
        for (unsigned char c : entry.data)
            sum += c;
        unsigned ino = entry.ino ? entry.ino : ++m_next_ino;
        char header[111];
        snprintf(header, sizeof header, "%s%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", m_magic, ino,
            entry.mode, entry.uid, entry.gid, entry.nlink, entry.mtime,
            static_cast<unsigned>(entry.file_size >= 0 ? entry.file_size : entry.data.size()), entry.dev_major,
            entry.dev_minor, entry.rdev_major, entry.rdev_minor,
            static_cast<unsigned>(entry.name_size >= 0 ? entry.name_size : entry.name.size() + 1),
            entry.check >= 0 ? static_cast<unsigned>(entry.check) : (m_magic[5] == '2' ? sum : 0));
        bytes.append(header, 110);
        bytes.append(entry.name);
        bytes.push_back('\0');
        pad();
        bytes.append(entry.data);
        pad();
        return *this;
    }
    CpioBuilder& file(const std::string& name, const std::string& data, unsigned mode = 0644)
    {
        return add(CpioEntry { name, 0100000 | mode, data });
    }
    CpioBuilder& dir(const std::string& name, unsigned mode = 0755) { return add(CpioEntry { name, 0040000 | mode }); }
    CpioBuilder& symlink(const std::string& name, const std::string& target)
    {
        return add(CpioEntry { name, 0120777, target });
    }
    CpioBuilder& trailer() { return add(CpioEntry { "TRAILER!!!", 0 }); }

    std::string bytes;

private:
    void pad()
    {
        while (bytes.size() % 4)
            bytes.push_back('\0');
    }
    const char* m_magic;
    unsigned m_next_ino = 100;
};

} // namespace fs_test
