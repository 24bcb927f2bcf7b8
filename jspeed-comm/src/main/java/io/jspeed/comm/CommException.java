package io.jspeed.comm;

/**
 * A collective that could not complete: a peer missed the deadline, died, or failed. The message names the
 * collective, the group, the collective's sequence number in that group and the ranks that did not arrive.
 */
public class CommException extends RuntimeException {
    public CommException(String message) {
        super(message);
    }

    public CommException(String message, Throwable cause) {
        super(message, cause);
    }
}
