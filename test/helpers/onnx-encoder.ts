/**
 * Writes a small but genuine transformers.js model folder for tests: a BERT-style
 * WordPiece tokeniser, a config, and an ONNX graph whose `last_hidden_state` is each
 * token's row of a given embedding table (zero for [PAD]/[UNK]/[CLS]/[SEP]/[MASK]),
 * masked by `attention_mask`. Mean pooling + L2 normalisation of this model is
 * therefore the normalised sum of the known words' rows — something a test can
 * compute by hand. Made with onnx-proto (a dev dependency), run by onnxruntime-node.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import type { onnx as Onnx } from 'onnx-proto';

const { onnx } = onnxProto;

export const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;

export interface OnnxEncoderFixture {
  /** Lowercase words (no duplicates, none of the special tokens). Token id = index + 5. */
  words: readonly string[];
  /** Row-major words.length × dim. */
  vectors: Float32Array;
  dim: number;
  /** File name under onnx/. Default 'model.onnx'. */
  onnxFile?: string;
  /** tokenizer_config's model_max_length. Default 512. */
  maxLength?: number;
  /** config.json's max_position_embeddings. Default 512. */
  maxPositions?: number;
  /** An extra int64 graph input the model requires but transformers.js does not feed (a model that loads but cannot run). */
  extraInput?: string;
}

function floatTensor(name: string, dims: number[], data: Float32Array): Onnx.ITensorProto {
  return { name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

function int64Input(name: string): Onnx.IValueInfoProto {
  return { name, type: { tensorType: { elemType: onnx.TensorProto.DataType.INT64, shape: { dim: [{ dimParam: 'batch' }, { dimParam: 'sequence' }] } } } };
}

/** Encoded ONNX model bytes for the embedding-table encoder. */
export function embeddingTableOnnx(table: Float32Array, rows: number, dim: number, extraInput?: string): Uint8Array {
  const graph: Onnx.IGraphProto = {
    name: 'embedding_table_encoder',
    input: [int64Input('input_ids'), int64Input('attention_mask'), int64Input('token_type_ids'), ...(extraInput ? [int64Input(extraInput)] : [])],
    output: [{ name: 'last_hidden_state', type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: [{ dimParam: 'batch' }, { dimParam: 'sequence' }, { dimValue: dim }] } } } }],
    initializer: [
      floatTensor('word_embeddings', [rows, dim], table),
      floatTensor('token_type_embeddings', [2, dim], new Float32Array(2 * dim)),
      { name: 'last_axis', dims: [1], dataType: onnx.TensorProto.DataType.INT64, int64Data: [-1] },
    ],
    node: [
      { opType: 'Gather', input: ['word_embeddings', 'input_ids'], output: ['words'] },
      { opType: 'Gather', input: ['token_type_embeddings', 'token_type_ids'], output: ['types'] },
      { opType: 'Add', input: ['words', 'types'], output: ['summed'] },
      { opType: 'Cast', input: ['attention_mask'], output: ['mask'], attribute: [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: onnx.TensorProto.DataType.FLOAT }] },
      { opType: 'Unsqueeze', input: ['mask', 'last_axis'], output: ['mask3'] },
      { opType: 'Mul', input: ['summed', 'mask3'], output: ['last_hidden_state'] },
    ],
  };
  const model = onnx.ModelProto.create({ irVersion: 7, producerName: 'transferkit-tests', opsetImport: [{ domain: '', version: 13 }], graph });
  return onnx.ModelProto.encode(model).finish();
}

/** Write the model folder (config.json, tokenizer.json, tokenizer_config.json, onnx/<file>) into `dir`. */
export function writeOnnxEncoder(dir: string, fixture: OnnxEncoderFixture): string {
  const { words, vectors, dim } = fixture;
  const vocab: Record<string, number> = {};
  [...SPECIAL_TOKENS, ...words].forEach((t, i) => (vocab[t] = i));
  const rows = SPECIAL_TOKENS.length + words.length;
  const table = new Float32Array(rows * dim);
  table.set(vectors.subarray(0, words.length * dim), SPECIAL_TOKENS.length * dim);
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  writeFileSync(join(dir, 'onnx', fixture.onnxFile ?? 'model.onnx'), embeddingTableOnnx(table, rows, dim, fixture.extraInput));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ model_type: 'bert', architectures: ['BertModel'], hidden_size: dim, vocab_size: rows, max_position_embeddings: fixture.maxPositions ?? 512 }));
  const special = (content: string) => ({ id: vocab[content], content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map(special),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: '[SEP]', type_id: 1 } }],
      special_tokens: { '[CLS]': { id: '[CLS]', ids: [vocab['[CLS]']], tokens: ['[CLS]'] }, '[SEP]': { id: '[SEP]', ids: [vocab['[SEP]']], tokens: ['[SEP]'] } },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab },
  };
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tokenizer));
  writeFileSync(
    join(dir, 'tokenizer_config.json'),
    JSON.stringify({ tokenizer_class: 'BertTokenizer', do_lower_case: true, model_max_length: fixture.maxLength ?? 512, cls_token: '[CLS]', sep_token: '[SEP]', pad_token: '[PAD]', unk_token: '[UNK]', mask_token: '[MASK]' }),
  );
  return dir;
}
