// Small made-up tokenizer.json files that use the components the four real files do not (Metaspace, Digits, Split
// behaviours, lstrip/rstrip and normalized added tokens, unk/fuse_unk, ignore_merges, no decoder), with ids and
// decodes from Hugging Face's tokenizers library (Rust, Node binding). Setup as in generate.mjs, then:
//   NODE_PATH=/tmp/gen/node_modules node generate-synthetic.mjs <src/test/resources/tokenizers-synthetic>
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Tokenizer } = require('tokenizers');

const TEXTS = ['', 'Hello world', ' leading  spaces ', 'a-b-c 123,456 x9x', 'Tea<sep>  time [mask] now',
  'zzz ★ 42 ｆｕｌｌ width', 'mixed 7 8 99-100, done', 'line\nbreak\ttab'];

function charVocab(extra, skip) {
  const chars = new Set();
  for (const t of TEXTS) for (const c of t.normalize('NFKC').replaceAll(' ', '▁')) chars.add(c);
  const vocab = {};
  for (const tok of [...extra, ...[...chars].sort()]) if (!(tok in vocab) && !skip.includes(tok)) vocab[tok] = Object.keys(vocab).length;
  return vocab;
}

function withMerges(vocab, merges) {
  for (const [a, b] of merges) if (!((a + b) in vocab)) vocab[a + b] = Object.keys(vocab).length;
  return merges.map(([a, b]) => `${a} ${b}`);
}

function bpe(vocab, merges, opts) {
  return { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null,
    fuse_unk: false, byte_fallback: false, ignore_merges: false, ...opts, vocab, merges };
}

function added(id, content, flags) {
  return { id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true, ...flags };
}

const bytes = [...Array(256).keys()].map(b => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);

function metaspace() {
  const vocab = charVocab(['<unk>', '<s>', '</s>', ...bytes], ['z', '★']);
  const merges = withMerges(vocab, [['▁', 't'], ['e', 'a'], ['▁t', 'i'], ['l', 'l'], ['H', 'e'], ['He', 'll']]);
  const n = Object.keys(vocab).length;
  return {
    version: '1.0', truncation: null, padding: null,
    added_tokens: [added(1, '<s>'), added(2, '</s>'), added(n, '<sep>', { lstrip: true, rstrip: true }),
      added(n + 1, '[mask]', { normalized: true, special: false })],
    normalizer: { type: 'NFKC' },
    pre_tokenizer: { type: 'Sequence', pretokenizers: [
      { type: 'Metaspace', replacement: '▁', prepend_scheme: 'first', split: true },
      { type: 'Digits', individual_digits: true }] },
    post_processor: { type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '</s>', type_id: 0 } }],
      pair: [{ Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }],
      special_tokens: { '<s>': { id: '<s>', ids: [1], tokens: ['<s>'] }, '</s>': { id: '</s>', ids: [2], tokens: ['</s>'] } } },
    decoder: { type: 'Sequence', decoders: [{ type: 'ByteFallback' },
      { type: 'Metaspace', replacement: '▁', prepend_scheme: 'first', split: true }] },
    model: bpe(vocab, merges, { unk_token: '<unk>', byte_fallback: true }),
  };
}

function unknowns() {
  const vocab = charVocab(['<unk>'], ['z', '★', 'ｆ', 'f', 'u']);
  const merges = withMerges(vocab, [['l', 'l'], ['H', 'e'], ['He', 'll'], ['ll', 'o']]);
  vocab['Hello'] = Object.keys(vocab).length; // reachable only whole, through ignore_merges
  return {
    version: '1.0', truncation: null, padding: null, added_tokens: [], normalizer: null,
    pre_tokenizer: { type: 'Split', pattern: { Regex: '\\s+' }, behavior: 'Removed', invert: false },
    post_processor: null, decoder: null,
    model: bpe(vocab, merges, { unk_token: '<unk>', fuse_unk: true, ignore_merges: true }),
  };
}

function splits() {
  const vocab = {};
  require('tokenizers').byteLevelAlphabet().sort().forEach((c, i) => { vocab[c] = i; });
  const merges = withMerges(vocab, [['Ġ', 't'], ['e', 'a'], ['1', '2'], ['Ġ', 'a'], ['-', 'b']]);
  return {
    version: '1.0', truncation: null, padding: null, added_tokens: [], normalizer: null,
    pre_tokenizer: { type: 'Sequence', pretokenizers: [
      { type: 'Split', pattern: { String: '-' }, behavior: 'MergedWithNext', invert: false },
      { type: 'Split', pattern: { Regex: '[0-9]' }, behavior: 'Contiguous', invert: false },
      { type: 'Split', pattern: { String: ',' }, behavior: 'MergedWithPrevious', invert: false },
      { type: 'Split', pattern: { Regex: 'x' }, behavior: 'Isolated', invert: true },
      { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true }] },
    post_processor: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: bpe(vocab, merges, {}),
  };
}

const dir = process.argv[2];
fs.mkdirSync(dir, { recursive: true });
const expected = {};
for (const [name, make] of Object.entries({ metaspace, unknowns, splits })) {
  const json = make();
  fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(json) + '\n');
  const tok = Tokenizer.fromString(JSON.stringify(json));
  expected[name] = [];
  for (const text of TEXTS) {
    const ids = Array.from((await tok.encode(text, null, { addSpecialTokens: true })).getIds());
    const idsNoSpecial = Array.from((await tok.encode(text, null, { addSpecialTokens: false })).getIds());
    expected[name].push({ text, ids, idsNoSpecial, decoded: await tok.decode(idsNoSpecial, false) });
  }
}
fs.writeFileSync(path.join(dir, 'expected.json'), JSON.stringify(expected, null, 1) + '\n');

// Chat templates' tojson filter as transformers.js renders it (Python's json.dumps(ensure_ascii=False) layout),
// for jspeed-infer's ChatTemplate tests.
const { Template } = require('@huggingface/jinja');
const tool = { name: 'get_weather', description: 'Wéather "now"\n<b>&\t\u0001',
  parameters: { type: 'object', required: ['city'], n: 1.5, k: 3, ok: true, none: null, list: [], empty: {} } };
const tojson = { variables: { tool }, cases: [] };
for (const template of ['{{ tool | tojson }}', '{{ tool | tojson(indent=4) }}', '{{ tool.parameters.required | tojson }}',
  '{{ tool.description | tojson }}']) {
  tojson.cases.push({ template, rendered: new Template(template).render({ tool }) });
}
fs.writeFileSync(path.join(dir, 'tojson.json'), JSON.stringify(tojson, null, 1) + '\n');
console.log(JSON.stringify(expected).slice(0, 1500));
