/*
 * Reference figures for jspeed's MPI allReduce: the same call jspeed's MpiGroup makes (float, MPI_SUM, in place on
 * MPI_COMM_WORLD), from C, so the difference is jspeed's own overhead (staging copies, FFM, polling).
 *
 *   mpirun -np 2 ./mpi_allreduce_bench [min_bytes] [max_bytes] [blocking|nonblocking]
 *
 * Sizes go from min_bytes to max_bytes (default 1 KiB .. 256 MiB) by factors of 4. Per size: 2 warm-up calls, then
 * iterations = clamp(1 GiB / bytes, 5, 200), timed together; the slowest rank's mean time counts. "blocking" calls
 * MPI_Allreduce; "nonblocking" calls MPI_Iallreduce and polls MPI_Test, as jspeed does (Open MPI runs a different
 * algorithm for the nonblocking collective: libnbc instead of coll/tuned). Rank 0 prints one line per size:
 *
 *   bytes iterations seconds_per_call algbw_GBps busbw_GBps
 *
 * busbw = algbw * 2(n-1)/n, the nccl-tests convention for allreduce. The last call of each size is checked.
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long iterations(long bytes) {
    long n = (1L << 30) / bytes;
    return n < 5 ? 5 : n > 200 ? 200 : n;
}

static void allreduce(float *buf, int count, int nonblocking) {
    if (!nonblocking) {
        MPI_Allreduce(MPI_IN_PLACE, buf, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
        return;
    }
    MPI_Request req;
    int done = 0;
    MPI_Iallreduce(MPI_IN_PLACE, buf, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD, &req);
    while (!done) MPI_Test(&req, &done, MPI_STATUS_IGNORE);
}

int main(int argc, char **argv) {
    int provided, rank, size;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_SERIALIZED, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    long min_bytes = argc > 1 ? atol(argv[1]) : 1024L;
    long max_bytes = argc > 2 ? atol(argv[2]) : 256L << 20;
    int nonblocking = argc > 3 && strcmp(argv[3], "nonblocking") == 0;
    if (min_bytes < 4 || max_bytes < min_bytes || max_bytes / 4 > 0x7fffffffL) {
        if (rank == 0) fprintf(stderr, "mpi_allreduce_bench: need 4 <= min_bytes <= max_bytes <= 8 GiB, got %ld %ld\n",
                                 min_bytes, max_bytes);
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    float *buf = NULL;
    if (posix_memalign((void **) &buf, 64, (size_t) max_bytes) != 0) {
        fprintf(stderr, "mpi_allreduce_bench: rank %d cannot allocate %ld bytes\n", rank, max_bytes);
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    if (rank == 0) printf("# ranks=%d mode=%s\n# bytes iterations seconds_per_call algbw_GBps busbw_GBps\n",
                          size, nonblocking ? "nonblocking" : "blocking");
    for (long bytes = min_bytes; bytes <= max_bytes; bytes *= 4) {
        int count = (int) (bytes / 4);
        long iters = iterations(bytes);
        memset(buf, 0, (size_t) bytes); /* zeros stay zeros: no overflow to inf over the timed calls */
        for (int i = 0; i < 2; i++) allreduce(buf, count, nonblocking);
        MPI_Barrier(MPI_COMM_WORLD);
        double t0 = MPI_Wtime();
        for (long i = 0; i < iters; i++) allreduce(buf, count, nonblocking);
        double mine = (MPI_Wtime() - t0) / iters, slowest;
        MPI_Reduce(&mine, &slowest, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
        for (int i = 0; i < count; i++) buf[i] = 1.0f;
        allreduce(buf, count, nonblocking);
        if (buf[0] != (float) size || buf[count - 1] != (float) size) {
            fprintf(stderr, "mpi_allreduce_bench: rank %d got %g, expected %d\n", rank, buf[count - 1], size);
            MPI_Abort(MPI_COMM_WORLD, 3);
        }
        if (rank == 0) {
            double algbw = bytes / slowest / 1e9;
            printf("%ld %ld %.9f %.3f %.3f\n", bytes, iters, slowest, algbw, algbw * 2.0 * (size - 1) / size);
            fflush(stdout);
        }
    }
    free(buf);
    MPI_Finalize();
    return 0;
}
