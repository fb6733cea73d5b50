/* Threads as musl makes them (clone, futex, set_thread_area): create and join, mutexes under contention,
 * condition variables with and without timeouts, semaphores, barriers, thread-local storage, signals to a
 * thread and to the process, and how a thread's exit, exit_group, fork and a crash affect the process. */
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static pid_t gettid_(void) { return (pid_t)syscall(SYS_gettid); }

static __thread int tls_value = 1;
static __thread char tls_buffer[64];

struct identity {
    pid_t pid, tid;
    int tls_before, tls_after;
    void *buffer;
};

static void *who_am_i(void *arg)
{
    struct identity *id = arg;
    id->pid = getpid();
    id->tid = gettid_();
    id->tls_before = tls_value; /* a fresh thread sees the initial value, not the creator's */
    tls_value = id->tid;
    id->tls_after = tls_value;
    id->buffer = tls_buffer;
    return (void *)(intptr_t)(id->tid + 1);
}

static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;
enum { kWorkers = 4, kIncrements = 20000 };

static void *count_up(void *arg)
{
    (void)arg;
    for (int i = 0; i < kIncrements; ++i) {
        pthread_mutex_lock(&counter_lock);
        long seen = counter;
        if ((i & 255) == 0)
            sched_yield(); /* inside the lock: the others must wait on the futex */
        counter = seen + 1;
        pthread_mutex_unlock(&counter_lock);
    }
    return NULL;
}

static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t queue_ready = PTHREAD_COND_INITIALIZER;
static int queue[16], queue_length, consumed_sum, producer_done;

static void *consume(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&queue_lock);
    for (;;) {
        while (queue_length == 0 && !producer_done)
            pthread_cond_wait(&queue_ready, &queue_lock);
        if (queue_length == 0 && producer_done)
            break;
        consumed_sum += queue[--queue_length];
    }
    pthread_mutex_unlock(&queue_lock);
    return NULL;
}

static sem_t detached_done;
static volatile int detached_ran;
static void *detached(void *arg)
{
    (void)arg;
    detached_ran = 1;
    sem_post(&detached_done);
    return NULL;
}

static pthread_barrier_t barrier;
static volatile int before_barrier;
static int barrier_ok = 1;
static void *at_barrier(void *arg)
{
    (void)arg;
    __sync_fetch_and_add(&before_barrier, 1);
    pthread_barrier_wait(&barrier);
    if (before_barrier != 3)
        barrier_ok = 0;
    return NULL;
}

static volatile pid_t handled_by;
static volatile int handled_signal;
static void note_handler(int signal)
{
    handled_by = gettid_();
    handled_signal = signal;
}

static sem_t thread_waiting;
static volatile int stop_waiting;
static void *wait_for_signal(void *arg)
{
    pid_t *tid = arg;
    *tid = gettid_();
    sigset_t none;
    sigemptyset(&none);
    pthread_sigmask(SIG_SETMASK, &none, NULL);
    sem_post(&thread_waiting);
    while (!stop_waiting)
        pause();
    return NULL;
}

static void *leave_early(void *arg)
{
    (void)arg;
    pthread_exit((void *)42);
    return NULL;
}

static void *fork_from_thread(void *arg)
{
    (void)arg;
    pid_t child = fork();
    if (child == 0)
        _exit(pthread_self() != 0 && getpid() == gettid_() ? 7 : 1); /* the child has one thread, its main */
    int status = 0;
    if (waitpid(child, &status, 0) != child)
        return (void *)-1;
    return (void *)(intptr_t)status;
}

static void *exit_whole_process(void *arg)
{
    (void)arg;
    exit(3);
}

static void *crash(void *arg)
{
    (void)arg;
    *(volatile int *)0x1234 = 1;
    return NULL;
}

/* Runs `body` in a child process, which has threads of its own, and returns its wait status. */
static int in_child(void *(*body)(void *))
{
    pid_t child = fork();
    if (child == 0) {
        pthread_t thread;
        pthread_create(&thread, NULL, body, NULL);
        for (;;)
            pause(); /* the main thread sleeps; the other one decides how the process ends */
    }
    int status = -1;
    waitpid(child, &status, 0);
    return status;
}

int main(void)
{
    struct identity id = { 0 };
    pthread_t thread;
    void *result = NULL;
    tls_value = 99;
    CHECK("pthread_create", pthread_create(&thread, NULL, who_am_i, &id) == 0);
    CHECK("pthread_join", pthread_join(thread, &result) == 0);
    CHECK("join_returns_value", (intptr_t)result == id.tid + 1);
    CHECK("same_process", id.pid == getpid());
    CHECK("own_thread_id", id.tid != gettid_() && id.tid > 0 && gettid_() == getpid());
    CHECK("tls_initial_value_in_thread", id.tls_before == 1 && id.tls_after == id.tid);
    CHECK("tls_unchanged_in_main", tls_value == 99);
    CHECK("tls_separate_storage", id.buffer != (void *)tls_buffer);

    pthread_t workers[kWorkers];
    int created = 0;
    for (int i = 0; i < kWorkers; ++i)
        created += pthread_create(&workers[i], NULL, count_up, NULL) == 0;
    for (int i = 0; i < kWorkers; ++i)
        pthread_join(workers[i], NULL);
    CHECK("mutex_counter_exact", created == kWorkers && counter == (long)kWorkers * kIncrements);

    pthread_t consumers[2];
    pthread_create(&consumers[0], NULL, consume, NULL);
    pthread_create(&consumers[1], NULL, consume, NULL);
    int produced_sum = 0;
    for (int i = 1; i <= 200; ++i) {
        pthread_mutex_lock(&queue_lock);
        while (queue_length == 16) {
            pthread_mutex_unlock(&queue_lock);
            sched_yield();
            pthread_mutex_lock(&queue_lock);
        }
        queue[queue_length++] = i;
        produced_sum += i;
        pthread_cond_signal(&queue_ready);
        pthread_mutex_unlock(&queue_lock);
    }
    pthread_mutex_lock(&queue_lock);
    producer_done = 1;
    pthread_cond_broadcast(&queue_ready);
    pthread_mutex_unlock(&queue_lock);
    pthread_join(consumers[0], NULL);
    pthread_join(consumers[1], NULL);
    CHECK("condvar_producer_consumer", consumed_sum == produced_sum);

    pthread_cond_t never = PTHREAD_COND_INITIALIZER;
    pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    struct timespec start, deadline, end;
    clock_gettime(CLOCK_REALTIME, &start);
    deadline = start;
    deadline.tv_nsec += 50 * 1000000;
    if (deadline.tv_nsec >= 1000000000) {
        deadline.tv_nsec -= 1000000000;
        deadline.tv_sec++;
    }
    pthread_mutex_lock(&lock);
    int timed = pthread_cond_timedwait(&never, &lock, &deadline);
    pthread_mutex_unlock(&lock);
    clock_gettime(CLOCK_REALTIME, &end);
    long waited_ms = (end.tv_sec - start.tv_sec) * 1000 + (end.tv_nsec - start.tv_nsec) / 1000000;
    CHECK("cond_timedwait_times_out", timed == ETIMEDOUT && waited_ms >= 49 && waited_ms < 1000);

    sem_init(&detached_done, 0, 0);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    CHECK("detached_thread_created", pthread_create(&thread, &attr, detached, NULL) == 0);
    sem_wait(&detached_done);
    CHECK("detached_thread_ran", detached_ran == 1);

    pthread_barrier_init(&barrier, NULL, 3);
    pthread_t at[2];
    pthread_create(&at[0], NULL, at_barrier, NULL);
    pthread_create(&at[1], NULL, at_barrier, NULL);
    __sync_fetch_and_add(&before_barrier, 1);
    pthread_barrier_wait(&barrier);
    pthread_join(at[0], NULL);
    pthread_join(at[1], NULL);
    CHECK("barrier_releases_all_together", barrier_ok && before_barrier == 3);

    /* Signals: one to a thread (pthread_kill), one to the process that only the other thread can take. */
    struct sigaction action = { 0 };
    action.sa_handler = note_handler;
    sigaction(SIGUSR1, &action, NULL);
    sigaction(SIGUSR2, &action, NULL);
    sigset_t blocked;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGUSR1);
    sigaddset(&blocked, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &blocked, NULL);
    sem_init(&thread_waiting, 0, 0);
    pid_t waiter_tid = 0;
    pthread_create(&thread, NULL, wait_for_signal, &waiter_tid);
    sem_wait(&thread_waiting);
    pthread_kill(thread, SIGUSR1);
    for (int i = 0; i < 1000 && !handled_signal; ++i)
        sched_yield();
    CHECK("pthread_kill_reaches_thread", handled_signal == SIGUSR1 && handled_by == waiter_tid);
    handled_signal = 0;
    kill(getpid(), SIGUSR2);
    for (int i = 0; i < 1000 && !handled_signal; ++i)
        sched_yield();
    CHECK("process_signal_to_unblocking_thread", handled_signal == SIGUSR2 && handled_by == waiter_tid);
    sigset_t pending;
    sigpending(&pending);
    CHECK("process_signal_not_left_pending", !sigismember(&pending, SIGUSR2));
    stop_waiting = 1;
    pthread_kill(thread, SIGUSR1);
    pthread_join(thread, NULL);
    pthread_sigmask(SIG_UNBLOCK, &blocked, NULL);

    pthread_create(&thread, NULL, leave_early, NULL);
    pthread_join(thread, &result);
    CHECK("pthread_exit_value", (intptr_t)result == 42);

    pthread_create(&thread, NULL, fork_from_thread, NULL);
    pthread_join(thread, &result);
    int status = (int)(intptr_t)result;
    CHECK("fork_from_thread", WIFEXITED(status) && WEXITSTATUS(status) == 7);

    status = in_child(exit_whole_process);
    CHECK("exit_in_thread_ends_process", WIFEXITED(status) && WEXITSTATUS(status) == 3);
    status = in_child(crash);
    CHECK("crash_in_thread_kills_process", WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);

    /* Many short-lived threads: ids, stacks and kernel stacks come back. */
    int ok = 1;
    for (int i = 0; i < 200 && ok; ++i) {
        struct identity each = { 0 };
        ok = pthread_create(&thread, NULL, who_am_i, &each) == 0 && pthread_join(thread, NULL) == 0
            && each.pid == getpid();
    }
    CHECK("two_hundred_threads", ok);

    return check_summary();
}
