#!/usr/bin/python3
"""Writes types.gguf, the fixture GgufGgmlPyFixtureTest reads: a GGUF made by llama.cpp's own gguf-py (not by
jspeed), so the reader, the scalar dequantizers and the quantizers are checked against an independent encoder.

Metadata: one key of every scalar type plus string/float/int/bool/nested arrays (tokenizer-like).
Tensors, each [3, 256]: "src" F32 gaussian values; "w.<T>" for T in F32 F16 BF16 Q8_0 Q4_0 (gguf-py's quantize of
src) and Q4_K Q6_K (random bits with modest fp16 scales: gguf-py cannot quantize K types); "ref.<T>" F32, gguf-py's
dequantization of w.<T>.

Run from this directory: python3 make_fixtures.py  (needs Debian python3-numpy; sentencepiece is stubbed out).
"""
import sys
import types

sys.modules.setdefault('sentencepiece', types.SimpleNamespace(SentencePieceProcessor=None))
sys.path.insert(0, '../../../../../../shared/peers/llama.cpp/gguf-py')
import numpy as np  # noqa: E402
import gguf  # noqa: E402
from gguf import GGMLQuantizationType as T, GGUFValueType as V  # noqa: E402

rng = np.random.default_rng(7)
w = gguf.GGUFWriter('types.gguf', 'llama')
w.add_uint8('t.u8', 200); w.add_int8('t.i8', -100); w.add_uint16('t.u16', 60000); w.add_int16('t.i16', -30000)
w.add_uint32('t.u32', 4000000000); w.add_int32('t.i32', -2000000000); w.add_float32('t.f32', 0.25)
w.add_bool('t.bool', True); w.add_string('t.str', 'héllo ▁world'); w.add_uint64('t.u64', 2**63 + 5)
w.add_int64('t.i64', -2**62); w.add_float64('t.f64', 1.0 / 3.0)
w.add_token_list(['<unk>', '<s>', '</s>', '▁the', 'é']); w.add_token_scores([0.0, -1.0, -2.0, -3.5, -4.0])
w.add_token_types([2, 3, 3, 1, 1]); w.add_array('a.bools', [True, False]); w.add_array('a.nested', [[1, 2], [3]])

src = (rng.standard_normal((3, 256)) * 0.5).astype(np.float32)
w.add_tensor('src', src)
for t in (T.F32, T.F16, T.BF16, T.Q8_0, T.Q4_0):
    q = gguf.quants.quantize(src, t)
    w.add_tensor('w.' + t.name, q, raw_dtype=t)
    w.add_tensor('ref.' + t.name, gguf.quants.dequantize(q, t).astype(np.float32))
for t, scale_offsets in ((T.Q4_K, (0, 2)), (T.Q6_K, (208,))):
    block, size = gguf.GGML_QUANT_SIZES[t]
    q = rng.integers(0, 256, size=(3, 256 // block * size), dtype=np.uint8)
    for b in range(256 // block):
        for o in scale_offsets:
            d = np.array([rng.uniform(0.001, 0.03) * rng.choice([-1, 1])], dtype=np.float16).view(np.uint8)
            q[:, b * size + o:b * size + o + 2] = d
    w.add_tensor('w.' + t.name, q, raw_dtype=t)
    w.add_tensor('ref.' + t.name, gguf.quants.dequantize(q, t).astype(np.float32))
w.write_header_to_file(); w.write_kv_data_to_file(); w.write_tensors_to_file(); w.close()
print('types.gguf')
