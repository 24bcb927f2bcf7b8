package io.jspeed.tensor.dnnl;

/** A oneDNN call returned an error status (or could not be made); the message names the call and the status. */
public final class DnnlException extends RuntimeException {

    public DnnlException(String message) {
        super(message);
    }
}
