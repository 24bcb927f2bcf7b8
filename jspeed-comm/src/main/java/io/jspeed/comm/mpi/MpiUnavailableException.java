package io.jspeed.comm.mpi;

import io.jspeed.comm.CommException;

/** libmpi is not installed or is not Open MPI; the message is one line that ends with the install command. */
public final class MpiUnavailableException extends CommException {
    public MpiUnavailableException(String message) {
        super(message);
    }
}
