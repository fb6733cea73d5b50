// Result<T>: a value or a Linux errno. The kernel's only error channel (GUIDE §3); no exceptions.
#pragma once

#include <new>
#include <type_traits>
#include <utility>

#include "lib/errno.hpp"

// Wraps an Errno so that `return Error(Errno::EINVAL);` and `return Errno::EINVAL;` both read well.
struct Error {
    Errno code;
    constexpr Error(Errno e) : code(e) {}
};

template<typename T>
class [[nodiscard]] Result {
public:
    Result(const T& value) : m_ok(true) { new (&m_value) T(value); }
    Result(T&& value) : m_ok(true) { new (&m_value) T(std::move(value)); }
    Result(Error error) : m_error(error.code), m_ok(false) {}
    Result(Errno error) : m_error(error), m_ok(false) {}

    Result(Result&& other) : m_ok(other.m_ok)
    {
        if (m_ok)
            new (&m_value) T(std::move(other.m_value));
        else
            m_error = other.m_error;
    }
    Result(const Result& other) : m_ok(other.m_ok)
    {
        if (m_ok)
            new (&m_value) T(other.m_value);
        else
            m_error = other.m_error;
    }
    Result& operator=(const Result&) = delete;
    ~Result()
    {
        if (m_ok)
            m_value.~T();
    }

    bool is_error() const { return !m_ok; }
    explicit operator bool() const { return m_ok; }
    Errno error() const { return m_error; }
    T& value() & { return m_value; }
    const T& value() const& { return m_value; }
    T release_value() { return std::move(m_value); }
    T value_or(T fallback) const { return m_ok ? m_value : fallback; }

private:
    union {
        T m_value;
        Errno m_error;
    };
    bool m_ok;
};

template<>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : m_error(error.code), m_ok(false) {}
    Result(Errno error) : m_error(error), m_ok(false) {}

    bool is_error() const { return !m_ok; }
    explicit operator bool() const { return m_ok; }
    Errno error() const { return m_error; }
    void release_value() {}

private:
    Errno m_error {};
    bool m_ok { true };
};

// Evaluates a Result; returns its error from the enclosing function, else yields the value.
#define TRY(expr)                                                  \
    ({                                                             \
        auto _try_result = (expr);                                 \
        if (_try_result.is_error()) [[unlikely]]                   \
            return Error(_try_result.error());                     \
        _try_result.release_value();                               \
    })
