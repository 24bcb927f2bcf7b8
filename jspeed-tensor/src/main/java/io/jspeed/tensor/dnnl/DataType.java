package io.jspeed.tensor.dnnl;

/** Element types of oneDNN memory this binding uses, with their dnnl_data_type_t values. */
public enum DataType {
    F32(3, 4),
    BF16(2, 2);

    final int code;
    public final int bytes;

    DataType(int code, int bytes) {
        this.code = code;
        this.bytes = bytes;
    }
}
