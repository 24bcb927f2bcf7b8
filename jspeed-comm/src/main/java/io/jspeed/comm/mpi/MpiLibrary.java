package io.jspeed.comm.mpi;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The Open MPI C API (libmpi.so.40, Open MPI 4.x ABI) bound through FFM: the handful of calls {@link MpiGroup} makes,
 * and the predefined handles (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM, ...), which in Open MPI are the addresses of
 * exported globals ({@code ompi_mpi_comm_world}, ...), not integers as in MPICH.
 *
 * <p>The nonblocking collectives are bound for {@link MpiGroup}'s polled path (it can give up at a deadline and never
 * holds the lock below across a wait). Allreduce, reduce-scatter and allgather are also bound blocking for the bulk
 * path: Open MPI's blocking algorithms are 15-30% faster here than its nonblocking ones.
 * Under the serializing lock a blocking call holds it across its wait, so a process must then issue MPI calls from one thread
 * ({@link MpiGroup#supportsConcurrentGroups()} is false); a watchdog, not MPI_Test, enforces their deadline.
 *
 * <p>Thread level: we ask for MPI_THREAD_MULTIPLE. Where MPI provides it (Open MPI 4.1 here does), calls go straight
 * through and threads may block in collectives on different communicators at once (the trainer's gradient and
 * prefetch streams). Where only MPI_THREAD_SERIALIZED is provided, every call is serialized with one lock per library
 * instance, and {@link MpiGroup#supportsConcurrentGroups()} tells the trainer to issue collectives from one thread.
 *
 * <p>One process may hold one instance: MPI can be initialised once per process. Binding native code is this class's
 * job, hence the restricted FFM calls; the JVM needs {@code --enable-native-access=ALL-UNNAMED} (./jspeed passes it).
 */
@SuppressWarnings("restricted")
public final class MpiLibrary {

    /** The install line quoted whenever MPI is missing. */
    public static final String INSTALL_HINT = "apt-get install openmpi-bin libopenmpi-dev";

    static final int MPI_SUCCESS = 0;
    static final int MPI_THREAD_SERIALIZED = 2;
    static final int MPI_THREAD_MULTIPLE = 3;
    /** MPI_Request, MPI_Comm, MPI_Datatype and MPI_Op are all pointers in Open MPI. */
    static final AddressLayout HANDLE = ADDRESS;

    private static final int RTLD_NOW = 2;
    private static final int RTLD_GLOBAL = 0x100;
    private static final List<String> NAMES = List.of("libmpi.so.40", "libmpi.so");
    private static final List<String> DIRS = List.of("/usr/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu/openmpi/lib",
            "/usr/lib/aarch64-linux-gnu", "/usr/lib64/openmpi/lib", "/usr/lib/openmpi/lib", "/usr/local/lib", "/opt/openmpi/lib");

    private final ReentrantLock lock = new ReentrantLock();
    /** MPI_THREAD_MULTIPLE was provided: no serializing lock. Set once, right after MPI_Init_thread. */
    private volatile boolean threadMultiple;
    private volatile boolean finalized;

    final MemorySegment commWorld;
    final MemorySegment commNull;
    final MemorySegment floatType;
    final MemorySegment doubleType;
    final MemorySegment opSum;
    final MemorySegment opMax;

    private final MethodHandle initThread, finalizeMpi, abortMpi, commRank, commSize, commSplit, commFree;
    private final MethodHandle iallreduce, ireduceScatterBlock, iallgather, ialltoall, ibcast, ibarrier, isend, irecv, test;
    private final MethodHandle allreduce, reduceScatterBlock, allgather;

    private MpiLibrary(SymbolLookup lib) {
        commWorld = symbol(lib, "ompi_mpi_comm_world");
        commNull = symbol(lib, "ompi_mpi_comm_null");
        floatType = symbol(lib, "ompi_mpi_float");
        doubleType = symbol(lib, "ompi_mpi_double");
        opSum = symbol(lib, "ompi_mpi_op_sum");
        opMax = symbol(lib, "ompi_mpi_op_max");
        // int MPI_Init_thread(int *argc, char ***argv, int required, int *provided)
        initThread = bind(lib, "MPI_Init_thread", ADDRESS, ADDRESS, JAVA_INT, ADDRESS);
        finalizeMpi = bind(lib, "MPI_Finalize");
        abortMpi = bind(lib, "MPI_Abort", HANDLE, JAVA_INT);
        commRank = bind(lib, "MPI_Comm_rank", HANDLE, ADDRESS);
        commSize = bind(lib, "MPI_Comm_size", HANDLE, ADDRESS);
        // int MPI_Comm_split(MPI_Comm comm, int color, int key, MPI_Comm *newcomm)
        commSplit = bind(lib, "MPI_Comm_split", HANDLE, JAVA_INT, JAVA_INT, ADDRESS);
        commFree = bind(lib, "MPI_Comm_free", ADDRESS);
        // int MPI_Iallreduce(const void *sendbuf, void *recvbuf, int count, MPI_Datatype, MPI_Op, MPI_Comm, MPI_Request *)
        iallreduce = bind(lib, "MPI_Iallreduce", ADDRESS, ADDRESS, JAVA_INT, HANDLE, HANDLE, HANDLE, ADDRESS);
        // int MPI_Ireduce_scatter_block(const void *sendbuf, void *recvbuf, int recvcount, MPI_Datatype, MPI_Op, MPI_Comm, MPI_Request *)
        ireduceScatterBlock = bind(lib, "MPI_Ireduce_scatter_block", ADDRESS, ADDRESS, JAVA_INT, HANDLE, HANDLE, HANDLE, ADDRESS);
        // int MPI_Iallgather(const void *sendbuf, int sendcount, MPI_Datatype, void *recvbuf, int recvcount, MPI_Datatype, MPI_Comm, MPI_Request *)
        iallgather = bind(lib, "MPI_Iallgather", ADDRESS, JAVA_INT, HANDLE, ADDRESS, JAVA_INT, HANDLE, HANDLE, ADDRESS);
        ialltoall = bind(lib, "MPI_Ialltoall", ADDRESS, JAVA_INT, HANDLE, ADDRESS, JAVA_INT, HANDLE, HANDLE, ADDRESS);
        // int MPI_Ibcast(void *buffer, int count, MPI_Datatype, int root, MPI_Comm, MPI_Request *)
        ibcast = bind(lib, "MPI_Ibcast", ADDRESS, JAVA_INT, HANDLE, JAVA_INT, HANDLE, ADDRESS);
        ibarrier = bind(lib, "MPI_Ibarrier", HANDLE, ADDRESS);
        // int MPI_Isend(const void *buf, int count, MPI_Datatype, int dest, int tag, MPI_Comm, MPI_Request *); Irecv alike
        isend = bind(lib, "MPI_Isend", ADDRESS, JAVA_INT, HANDLE, JAVA_INT, JAVA_INT, HANDLE, ADDRESS);
        irecv = bind(lib, "MPI_Irecv", ADDRESS, JAVA_INT, HANDLE, JAVA_INT, JAVA_INT, HANDLE, ADDRESS);
        // int MPI_Test(MPI_Request *request, int *flag, MPI_Status *status); we pass MPI_STATUS_IGNORE (NULL)
        test = bind(lib, "MPI_Test", ADDRESS, ADDRESS, ADDRESS);
        // Blocking collectives of the bulk path, on off-heap buffers. Not critical downcalls on the Java arrays: a thread
        // blocked in a critical call never reaches a safepoint, so the first GC or deoptimization would stall every
        // thread of the JVM, the deadline watchdog included, for as long as a peer keeps MPI waiting.
        allreduce = bind(lib, "MPI_Allreduce", ADDRESS, ADDRESS, JAVA_INT, HANDLE, HANDLE, HANDLE);
        reduceScatterBlock = bind(lib, "MPI_Reduce_scatter_block", ADDRESS, ADDRESS, JAVA_INT, HANDLE, HANDLE, HANDLE);
        allgather = bind(lib, "MPI_Allgather", ADDRESS, JAVA_INT, HANDLE, ADDRESS, JAVA_INT, HANDLE, HANDLE);
    }

    /**
     * Loads libmpi: $JSPEED_MPI_LIB if set, else libmpi.so.40 / libmpi.so through the dynamic loader's search
     * (LD_LIBRARY_PATH, ld.so.cache), else the usual install directories.
     *
     * @throws MpiUnavailableException with one line that says what was tried and how to install Open MPI
     */
    public static MpiLibrary load() {
        List<String> candidates = new ArrayList<>();
        String override = System.getenv("JSPEED_MPI_LIB");
        if (override != null && !override.isBlank()) candidates.add(override);
        candidates.addAll(NAMES);
        for (String dir : DIRS) for (String name : NAMES) {
            if (Files.exists(Path.of(dir, name))) candidates.add(Path.of(dir, name).toString());
        }
        return load(candidates);
    }

    /** The first candidate (a name for the dynamic loader or a path) that loads; it must be Open MPI. */
    static MpiLibrary load(List<String> candidates) {
        for (String candidate : candidates) {
            if (!dlopenGlobal(candidate)) continue;
            SymbolLookup lib = SymbolLookup.libraryLookup(candidate, Arena.global());
            if (lib.find("ompi_mpi_comm_world").isEmpty()) {
                throw new MpiUnavailableException("jspeed's MPI backend is unavailable: " + candidate + " is not Open MPI"
                        + " (no ompi_mpi_comm_world; the backend binds Open MPI 4.x's ABI); install Open MPI: " + INSTALL_HINT);
            }
            return new MpiLibrary(lib);
        }
        throw new MpiUnavailableException("jspeed's MPI backend is unavailable: Open MPI's libmpi was not found (tried "
                + String.join(", ", candidates) + "); install Open MPI: " + INSTALL_HINT);
    }

    /** True when libmpi can be found; never initialises MPI. */
    public static boolean isInstalled() {
        try {
            load();
            return true;
        } catch (MpiUnavailableException e) {
            return false;
        }
    }

    /**
     * Open MPI dlopens its own plugins (pml, btl, coll...) and they resolve symbols such as ompi_request_* against
     * libmpi without linking it, so libmpi must be loaded RTLD_GLOBAL; SymbolLookup.libraryLookup uses RTLD_LOCAL.
     * Open MPI's own Java binding does the same in its JNI_OnLoad.
     */
    private static boolean dlopenGlobal(String name) {
        Linker linker = Linker.nativeLinker();
        MethodHandle dlopen = linker.downcallHandle(linker.defaultLookup().find("dlopen").orElseThrow(),
                FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment handle = (MemorySegment) dlopen.invokeExact(arena.allocateFrom(name), RTLD_NOW | RTLD_GLOBAL);
            return !handle.equals(MemorySegment.NULL);
        } catch (Throwable t) {
            return false;
        }
    }

    private static MemorySegment symbol(SymbolLookup lib, String name) {
        return lib.find(name).orElseThrow(() -> new MpiUnavailableException("libmpi has no symbol " + name
                + "; jspeed's MPI backend needs Open MPI 4.x: " + INSTALL_HINT));
    }

    private static MethodHandle bind(SymbolLookup lib, String name, MemoryLayout... args) {
        return Linker.nativeLinker().downcallHandle(symbol(lib, name), FunctionDescriptor.of(JAVA_INT, args));
    }

    /** MPI_Allreduce; send may be MPI_IN_PLACE. Blocks: the caller bounds it with a watchdog. */
    int allreduce(MemorySegment send, MemorySegment recv, int count, MemorySegment type, MemorySegment op, MemorySegment comm) {
        return locked(() -> (int) allreduce.invokeExact(send, recv, count, type, op, comm));
    }

    int reduceScatterBlock(MemorySegment send, MemorySegment recv, int recvCount, MemorySegment type, MemorySegment op, MemorySegment comm) {
        return locked(() -> (int) reduceScatterBlock.invokeExact(send, recv, recvCount, type, op, comm));
    }

    int allgather(MemorySegment send, MemorySegment recv, int countPerRank, MemorySegment type, MemorySegment comm) {
        return locked(() -> (int) allgather.invokeExact(send, countPerRank, type, recv, countPerRank, type, comm));
    }

    /** MPI_Init_thread; returns the thread level MPI provides. */
    int initThread(int required) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment provided = arena.allocate(JAVA_INT);
            check("MPI_Init_thread", locked(() -> (int) initThread.invokeExact(MemorySegment.NULL, MemorySegment.NULL, required, provided)));
            return provided.get(JAVA_INT, 0);
        }
    }

    void finalizeMpi() {
        check("MPI_Finalize", locked(() -> (int) finalizeMpi.invokeExact()));
        finalized = true;
    }

    /** After MPI_Finalize no MPI call is allowed, not even freeing a communicator a sub-group still holds. */
    boolean finalized() {
        return finalized;
    }

    /** MPI_Abort on the world: ends every rank. Deliberately bypasses the lock: another thread may be stuck in a call. */
    void abort(int code) {
        try {
            int rc = (int) abortMpi.invokeExact(commWorld, code);
            check("MPI_Abort", rc);
        } catch (Throwable t) {
            throw new IllegalStateException("MPI_Abort failed", t);
        }
    }

    int commRank(MemorySegment comm) {
        return intOut("MPI_Comm_rank", commRank, comm);
    }

    int commSize(MemorySegment comm) {
        return intOut("MPI_Comm_size", commSize, comm);
    }

    MemorySegment commSplit(MemorySegment comm, int color, int key) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(HANDLE);
            check("MPI_Comm_split", locked(() -> (int) commSplit.invokeExact(comm, color, key, out)));
            return out.get(HANDLE, 0);
        }
    }

    void commFree(MemorySegment comm) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment handle = arena.allocate(HANDLE);
            handle.set(HANDLE, 0, comm);
            check("MPI_Comm_free", locked(() -> (int) commFree.invokeExact(handle)));
        }
    }

    int iallreduce(MemorySegment send, MemorySegment recv, int count, MemorySegment type, MemorySegment op,
                   MemorySegment comm, MemorySegment request) {
        return locked(() -> (int) iallreduce.invokeExact(send, recv, count, type, op, comm, request));
    }

    int ireduceScatterBlock(MemorySegment send, MemorySegment recv, int recvCount, MemorySegment type, MemorySegment op,
                            MemorySegment comm, MemorySegment request) {
        return locked(() -> (int) ireduceScatterBlock.invokeExact(send, recv, recvCount, type, op, comm, request));
    }

    int iallgather(MemorySegment send, MemorySegment recv, int countPerRank, MemorySegment type, MemorySegment comm,
                   MemorySegment request) {
        return locked(() -> (int) iallgather.invokeExact(send, countPerRank, type, recv, countPerRank, type, comm, request));
    }

    int ialltoall(MemorySegment send, MemorySegment recv, int countPerRank, MemorySegment type, MemorySegment comm,
                  MemorySegment request) {
        return locked(() -> (int) ialltoall.invokeExact(send, countPerRank, type, recv, countPerRank, type, comm, request));
    }

    int ibcast(MemorySegment buf, int count, MemorySegment type, int root, MemorySegment comm, MemorySegment request) {
        return locked(() -> (int) ibcast.invokeExact(buf, count, type, root, comm, request));
    }

    int ibarrier(MemorySegment comm, MemorySegment request) {
        return locked(() -> (int) ibarrier.invokeExact(comm, request));
    }

    int isend(MemorySegment buf, int count, MemorySegment type, int dest, int tag, MemorySegment comm, MemorySegment request) {
        return locked(() -> (int) isend.invokeExact(buf, count, type, dest, tag, comm, request));
    }

    int irecv(MemorySegment buf, int count, MemorySegment type, int source, int tag, MemorySegment comm, MemorySegment request) {
        return locked(() -> (int) irecv.invokeExact(buf, count, type, source, tag, comm, request));
    }

    /** MPI_Test; {@code flag} receives nonzero once the request is complete (MPI then frees it and sets it to NULL). */
    int test(MemorySegment request, MemorySegment flag) {
        return locked(() -> (int) test.invokeExact(request, flag, MemorySegment.NULL));
    }

    private int intOut(String what, MethodHandle h, MemorySegment comm) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_INT);
            check(what, locked(() -> (int) h.invokeExact(comm, out)));
            return out.get(JAVA_INT, 0);
        }
    }

    /** A downcall whose arguments are already bound; invokeExact keeps the polling loop free of boxing. */
    @FunctionalInterface
    private interface NativeCall {
        int run() throws Throwable;
    }

    /** Whether MPI runs calls from several threads at once (MPI_THREAD_MULTIPLE was provided). */
    boolean threadMultiple() {
        return threadMultiple;
    }

    void useThreadMultiple() {
        threadMultiple = true;
    }

    /** One native call, under the serializing lock unless MPI provides MPI_THREAD_MULTIPLE (see the class comment). */
    private int locked(NativeCall c) {
        if (threadMultiple) {
            try {
                return c.run();
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }
        lock.lock();
        try {
            return c.run();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        } finally {
            lock.unlock();
        }
    }

    static void check(String what, int rc) {
        if (rc != MPI_SUCCESS) throw new io.jspeed.comm.CommException(what + " failed with MPI error code " + rc);
    }
}
