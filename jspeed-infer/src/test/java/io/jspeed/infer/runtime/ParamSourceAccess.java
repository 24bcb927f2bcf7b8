package io.jspeed.infer.runtime;

import io.jspeed.infer.model.TensorSource;
import io.jspeed.model.param.ParamBlock;

import java.util.List;

/** Test access to {@link ParamSource} from other test packages. */
public record ParamSourceAccess(List<ParamBlock> blocks) {
    public TensorSource source() {
        return new ParamSource(blocks);
    }
}
