package io.jspeed.model.layer;

/** How a linear layer's weight matrix is stored, so checkpoints keep the layout their format's users expect. */
public enum WeightLayout {
    /** [out, in], as torch.nn.Linear (Llama). */
    OUT_IN,
    /** [in, out], as Hugging Face's GPT-2 Conv1D. */
    IN_OUT
}
