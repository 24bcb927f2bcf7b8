/**
 * The Open MPI backend of {@link io.jspeed.comm.ProcessGroup}: {@link io.jspeed.comm.mpi.MpiGroup} over libmpi bound
 * with FFM ({@link io.jspeed.comm.mpi.MpiLibrary}); heap arrays are staged through off-heap buffers. libmpi is
 * optional at run time. Depends only on io.jspeed.comm.
 */
package io.jspeed.comm.mpi;
