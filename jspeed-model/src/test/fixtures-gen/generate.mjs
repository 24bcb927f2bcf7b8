// Writes the expected token ids (and decodes, and rendered chat templates) for the tokenizer fixtures in
// src/test/resources/tokenizers/<name>/ using the reference implementations, outside the Maven build:
//   mkdir /tmp/gen && cd /tmp/gen && npm init -y && npm install tokenizers@0.23.2
//   npm install --ignore-scripts @huggingface/transformers@4.3.2
//   NODE_PATH=/tmp/gen/node_modules node generate.mjs <resources/tokenizers dir>
// `tokenizers` is Hugging Face's Rust library (its Node binding): the ids, decodes and reference. transformers.js is
// a second, independent implementation: the script reports where it disagrees and renders the chat templates
// (apply_chat_template with tokenize: false), which the Rust library does not do.
import fs from 'node:fs';
import zlib from 'node:zlib';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Tokenizer } = require('tokenizers');
const { PreTrainedTokenizer } = require('@huggingface/transformers');

export const TEXTS = [
  '',
  'Hello world',
  ' leading space',
  'Hello, world! How are you?',
  "I'm sure they've said it's fine, we'll see. DON'T SHOUT, he'd've",
  'def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n',
  'for (int i = 0; i < n; i++) {\n\tsum += a[i] * 0x1F;\n}\r\n',
  '日本語のテキストと中文文本，还有한국어도。',
  'Family: 👨‍👩‍👧‍👦, flags 🇫🇷, skin 👍🏽 and ❤️',
  'line one\r\nline two\r\n\r\nline four\n',
  'runs:  two   three    four\t\ttabs\n\n\nnewlines   ',
  'digits 1234567890 and 3.14159 and 1,000,000',
  '<|begin_of_text|>Hello<|eot_id|>',
  '<s>Hello</s> <start_of_turn>user\nHi<end_of_turn>',
  '<|im_start|>user\nHi<|im_end|>\n<think>ok</think>',
  'Ünïcödé çàfé naïve résumé — “quotes” … e\u0301 (decomposed)',
  '   ',
  '\n',
  'a\u00a0b\u2003c\u3000d',
  'mixedCaseIdentifier_with_underscores and snake_case_2024',
  'Zero width\u200bspace and soft\u00adhyphen and \u0000 nul',
  'Ελληνικά, русский текст, العربية, עברית, हिन्दी',
  'https://example.com/a/very/long/path_with_many_segments?query=supercalifragilisticexpialidocious&x=1',
  'Math 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝟙𝟚𝟛, Arabic-Indic ٣٤٥, titlecase ǅ, line\u2028sep, lone\rreturn',
  "'S 'LL 'Ve 're 'd — \"quoted\" and 'single' and ``backticks``",
  '<|im_start|><|im_start|>  <|endoftext|>\n<start_of_turn><end_of_turn> <think></think>',
  '\t\t\n\n    \n \r\n\r\n  x',
];

// Random strings over a pool that mixes every character class the pre-tokenizer regexes distinguish, plus
// fragments of special tokens and of SentencePiece spellings; a fixed seed keeps the fixtures stable.
const POOL = ['a', 'Z', 'é', 'ß', '日', '本', 'ㄱ', '한', 'я', 'ω', '1', '42', '٣', '𝟙', ' ', ' ', '  ', '\t', '\n', '\r\n',
  '\r', '\u00a0', '\u3000', '.', ',', '!', '?', "'", "'s", "'LL", '-', '_', '(', ')', '{', '}', '"', '#', '$', '%', '…', '—',
  '👍', '🏽', '\u200d', '👩', '❤', '\ufe0f', '🇫🇷', 'e\u0301', '▁', '<0x41>', '<', '|', '>', '<|im_end|>',
  '<|begin_of_text|>', '<start_of_turn>', '<s>', '</s>', '<think>', 'Ġ', 'hello', 'World', 'return', '0x1F', '\u0000'];
function randomTexts(count, seed) {
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  const texts = [];
  for (let i = 0; i < count; i++) {
    let t = '';
    const parts = Math.floor(next() * 24);
    for (let p = 0; p < parts; p++) t += POOL[Math.floor(next() * POOL.length)];
    texts.push(t);
  }
  return texts;
}
TEXTS.push(...randomTexts(80, 20261201));

const CHAT = [
  { role: 'system', content: 'You are a helpful assistant.' },
  { role: 'user', content: 'What is 2 + 2?' },
  { role: 'assistant', content: 'It is 4.' },
  { role: 'user', content: 'And 3 + 3?' },
];

// Reasoning turns: Qwen 3's template splits <think> blocks out of assistant messages with Python str methods.
const CHAT_THINKING = [
  { role: 'user', content: 'Hi' },
  { role: 'assistant', content: '<think>\nGreet back.\n</think>\n\nHello!' },
  { role: 'user', content: 'Name a prime.' },
  { role: 'assistant', content: '<think>\nSmall one.\n</think>\n\n7' },
];

function readJson(file) {
  const raw = fs.readFileSync(file);
  return JSON.parse((file.endsWith('.gz') ? zlib.gunzipSync(raw) : raw).toString('utf8'));
}

const root = process.argv[2];
for (const name of fs.readdirSync(root).sort()) {
  const dir = path.join(root, name);
  const jsonFile = fs.existsSync(path.join(dir, 'tokenizer.json.gz'))
    ? path.join(dir, 'tokenizer.json.gz') : path.join(dir, 'tokenizer.json');
  const tokenizerJson = readJson(jsonFile);
  const config = readJson(path.join(dir, 'tokenizer_config.json'));
  const rust = Tokenizer.fromString(JSON.stringify(tokenizerJson));
  const js = new PreTrainedTokenizer(tokenizerJson, config);
  const cases = [];
  let disagreements = 0;
  for (const text of TEXTS) {
    const withSpecial = Array.from((await rust.encode(text, null, { addSpecialTokens: true })).getIds());
    const without = Array.from((await rust.encode(text, null, { addSpecialTokens: false })).getIds());
    const decoded = await rust.decode(without, false);
    const jsIds = js.encode(text, { add_special_tokens: false });
    if (JSON.stringify(jsIds) !== JSON.stringify(without)) {
      disagreements++;
      console.log(`${name}: transformers.js differs on ${JSON.stringify(text)}\n  rust ${without}\n  js   ${jsIds}`);
    }
    cases.push({ text, ids: withSpecial, idsNoSpecial: without, decoded });
  }
  const chat = {};
  for (const addGenerationPrompt of config.chat_template ? [false, true] : []) {
    chat[addGenerationPrompt ? 'withGenerationPrompt' : 'withoutGenerationPrompt'] =
      js.apply_chat_template(CHAT, { tokenize: false, add_generation_prompt: addGenerationPrompt });
  }
  if (config.chat_template) {
    chat.thinking = { messages: CHAT_THINKING,
      rendered: js.apply_chat_template(CHAT_THINKING, { tokenize: false, add_generation_prompt: false }) };
  }
  const out = { reference: 'tokenizers@0.23.2 (Rust, Node binding); chat: @huggingface/transformers@4.3.2',
    cases, chat: { messages: CHAT, ...chat } };
  fs.writeFileSync(path.join(dir, 'expected.json'), JSON.stringify(out, null, 1) + '\n');
  console.log(`${name}: ${cases.length} texts, transformers.js disagrees on ${disagreements}`);
}
