/**
 * A tiny WebAssembly SIMD kernel for dot products, assembled here byte by byte
 * (no toolchain needed at build or install time). Two entry points:
 *
 *  - `tileA(rows, nRows, dim, qT, out)` for A ∈ {1, 2, 4}: dot products of `nRows`
 *    consecutive rows with a tile of 4·A queries stored transposed
 *    (qT[d·4A + j]); out[r·4A + j] = row r · query j. Each row value is loaded
 *    once and multiplied into 4·A lanes.
 *  - `dot1(rows, nRows, dim, q, out)`: one query, sixteen dimensions per step in
 *    four independent accumulators (then four, then one at a time).
 *
 * Arithmetic is float32 (callers re-rank the best candidates in float64).
 * Returns null when this runtime has no WebAssembly SIMD; callers then use JS.
 *
 * Each instance owns one WebAssembly memory. An owner that keeps rows in it (a
 * RowStore, a word-vectors matrix) declares them with `rowsEnd`: bytes
 * [0, rowsEnd) are its rows, and the kernel's scratch space (query tiles, output)
 * goes after them. `kernelOwning(buffer)` finds the instance a view belongs to,
 * so a scan of a resident view works in place whoever passes it.
 */

const enc = {
  u32(n: number): number[] {
    const out: number[] = [];
    do {
      let b = n & 0x7f;
      n >>>= 7;
      if (n !== 0) b |= 0x80;
      out.push(b);
    } while (n !== 0);
    return out;
  },
  i32(n: number): number[] {
    const out: number[] = [];
    for (;;) {
      const b = n & 0x7f;
      n >>= 7;
      if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
        out.push(b);
        return out;
      }
      out.push(b | 0x80);
    }
  },
  str(s: string): number[] {
    const b = [...Buffer.from(s, 'utf8')];
    return [...enc.u32(b.length), ...b];
  },
  section(id: number, body: number[]): number[] {
    return [id, ...enc.u32(body.length), ...body];
  },
  vec(items: number[][]): number[] {
    return [...enc.u32(items.length), ...items.flat()];
  },
};

// Opcodes.
const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;
const get = (i: number) => [0x20, ...enc.u32(i)];
const set = (i: number) => [0x21, ...enc.u32(i)];
const i32c = (n: number) => [0x41, ...enc.i32(n)];
const ADD = 0x6a;
const AND = 0x71;
const GE_U = 0x4f;
const simd = (op: number, ...imm: number[]) => [0xfd, ...enc.u32(op), ...imm];
const memarg = (align: number, offset: number) => [...enc.u32(align), ...enc.u32(offset)];
const V_LOAD = (offset: number) => simd(0x00, ...memarg(0, offset));
const V_STORE = (offset: number) => simd(0x0b, ...memarg(0, offset));
const V_SPLAT32 = simd(0x09, ...memarg(2, 0));
const V_ZERO = simd(0x0c, ...new Array<number>(16).fill(0));
const F4_ADD = simd(0xe4);
const F4_MUL = simd(0xe6);
const F4_LANE = (lane: number) => simd(0x1f, lane);
const F32_LOAD = [0x2a, ...memarg(2, 0)];
const F32_STORE = [0x38, ...memarg(2, 0)];
const F32_ADD = 0x92;
const F32_MUL = 0x94;
const BLOCK = [0x02, 0x40];
const LOOP = [0x03, 0x40];
const END = 0x0b;
const br = (depth: number) => [0x0c, ...enc.u32(depth)];
const brIf = (depth: number) => [0x0d, ...enc.u32(depth)];
const inc = (local: number, by: number) => [...get(local), ...i32c(by), ADD, ...set(local)];

// Parameters of every function: rows, nRows, dim, q, out.
const P_ROWS = 0;
const P_NROWS = 1;
const P_DIM = 2;
const P_Q = 3;
const P_OUT = 4;

function body(locals: [number, number][], code: number[]): number[] {
  const decl = enc.vec(locals.map(([n, t]) => [...enc.u32(n), t]));
  const all = [...decl, ...code, END];
  return [...enc.u32(all.length), ...all];
}

/** Tile of 4·A queries. Locals: r, d, rp, qp, acc[0..A-1], x. */
function tileBody(A: number): number[] {
  const R = 5;
  const D = 6;
  const RP = 7;
  const QP = 8;
  const ACC = 9;
  const X = 9 + A;
  const stride = 16 * A;
  const code: number[] = [];
  code.push(...get(P_ROWS), ...set(RP));
  code.push(...BLOCK, ...LOOP);
  code.push(...get(R), ...get(P_NROWS), GE_U, ...brIf(1));
  for (let a = 0; a < A; a++) code.push(...V_ZERO, ...set(ACC + a));
  code.push(...get(P_Q), ...set(QP), ...i32c(0), ...set(D));
  code.push(...BLOCK, ...LOOP);
  code.push(...get(D), ...get(P_DIM), GE_U, ...brIf(1));
  code.push(...get(RP), ...V_SPLAT32, ...set(X));
  for (let a = 0; a < A; a++) {
    code.push(...get(ACC + a), ...get(X), ...get(QP), ...V_LOAD(16 * a), ...F4_MUL, ...F4_ADD, ...set(ACC + a));
  }
  code.push(...inc(RP, 4), ...inc(QP, stride), ...inc(D, 1), ...br(0));
  code.push(END, END);
  for (let a = 0; a < A; a++) code.push(...get(P_OUT), ...get(ACC + a), ...V_STORE(16 * a));
  code.push(...inc(P_OUT, stride), ...inc(R, 1), ...br(0));
  code.push(END, END);
  return body([[4, I32], [A + 1, V128]], code);
}

/**
 * One query. Locals: r, d, rp, qp, dim16, dim4, acc0..acc3 (v128), s (f32).
 * Four accumulators over 16 dimensions per step: four independent add chains, so
 * the loop is limited by loads, not by the latency of one chain.
 */
function dot1Body(): number[] {
  const R = 5;
  const D = 6;
  const RP = 7;
  const QP = 8;
  const DIM16 = 9;
  const DIM4 = 10;
  const ACC = 11;
  const S = 15;
  const code: number[] = [];
  const mulAdd = (acc: number, offset: number) => [...get(acc), ...get(RP), ...V_LOAD(offset), ...get(QP), ...V_LOAD(offset), ...F4_MUL, ...F4_ADD, ...set(acc)];
  code.push(...get(P_ROWS), ...set(RP));
  code.push(...get(P_DIM), ...i32c(-16), AND, ...set(DIM16));
  code.push(...get(P_DIM), ...i32c(-4), AND, ...set(DIM4));
  code.push(...BLOCK, ...LOOP);
  code.push(...get(R), ...get(P_NROWS), GE_U, ...brIf(1));
  for (let a = 0; a < 4; a++) code.push(...V_ZERO, ...set(ACC + a));
  code.push(...get(P_Q), ...set(QP), ...i32c(0), ...set(D));
  // Sixteen dimensions at a time, four accumulators.
  code.push(...BLOCK, ...LOOP);
  code.push(...get(D), ...get(DIM16), GE_U, ...brIf(1));
  for (let a = 0; a < 4; a++) code.push(...mulAdd(ACC + a, 16 * a));
  code.push(...inc(RP, 64), ...inc(QP, 64), ...inc(D, 16), ...br(0));
  code.push(END, END);
  // Fold the accumulators: (a0 + a1) + (a2 + a3).
  code.push(...get(ACC), ...get(ACC + 1), ...F4_ADD, ...get(ACC + 2), ...get(ACC + 3), ...F4_ADD, ...F4_ADD, ...set(ACC));
  // Four dimensions at a time.
  code.push(...BLOCK, ...LOOP);
  code.push(...get(D), ...get(DIM4), GE_U, ...brIf(1));
  code.push(...mulAdd(ACC, 0));
  code.push(...inc(RP, 16), ...inc(QP, 16), ...inc(D, 4), ...br(0));
  code.push(END, END);
  // Horizontal sum.
  code.push(...get(ACC), ...F4_LANE(0), ...get(ACC), ...F4_LANE(1), F32_ADD);
  code.push(...get(ACC), ...F4_LANE(2), ...get(ACC), ...F4_LANE(3), F32_ADD, F32_ADD, ...set(S));
  // Remaining dimensions.
  code.push(...BLOCK, ...LOOP);
  code.push(...get(D), ...get(P_DIM), GE_U, ...brIf(1));
  code.push(...get(S), ...get(RP), ...F32_LOAD, ...get(QP), ...F32_LOAD, F32_MUL, F32_ADD, ...set(S));
  code.push(...inc(RP, 4), ...inc(QP, 4), ...inc(D, 1), ...br(0));
  code.push(END, END);
  code.push(...get(P_OUT), ...get(S), ...F32_STORE);
  code.push(...inc(P_OUT, 4), ...inc(R, 1), ...br(0));
  code.push(END, END);
  return body([[6, I32], [4, V128], [1, F32]], code);
}

const TILES = [1, 2, 4] as const;

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const sig = [0x60, ...enc.vec([[I32], [I32], [I32], [I32], [I32]]), ...enc.vec([])];
  const types = enc.section(1, enc.vec([sig]));
  const imports = enc.section(2, enc.vec([[...enc.str('env'), ...enc.str('memory'), 0x02, 0x00, ...enc.u32(1)]]));
  const nFuncs = TILES.length + 1;
  const funcs = enc.section(3, enc.vec(Array.from({ length: nFuncs }, () => [0])));
  const exportsList = [...TILES.map((a, i) => [...enc.str(`tile${a}`), 0x00, ...enc.u32(i)]), [...enc.str('dot1'), 0x00, ...enc.u32(TILES.length)]];
  const exportsSec = enc.section(7, enc.vec(exportsList));
  const code = enc.section(10, [...enc.u32(nFuncs), ...TILES.flatMap((a) => tileBody(a)), ...dot1Body()]);
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...types, ...imports, ...funcs, ...exportsSec, ...code]);
}

type KernelFn = (rows: number, nRows: number, dim: number, q: number, out: number) => void;

export interface WasmDots {
  memory: WebAssembly.Memory;
  /** tiles[1], tiles[2], tiles[4]: 4, 8 and 16 queries at a time. */
  tile: Record<1 | 2 | 4, KernelFn>;
  dot1: KernelFn;
  /**
   * Bytes [0, rowsEnd) hold an owner's rows (0: none). Scans put their scratch
   * space after them, so a resident scan never writes over rows.
   */
  rowsEnd: number;
  /** Grow memory to at least `bytes`; views of `memory.buffer` must be re-read afterwards. */
  reserve(bytes: number): void;
}

/** WebAssembly memory is at most 65,536 pages of 64 KiB (4 GiB). */
export const WASM_MAX_BYTES = 65536 * 65536;
const PAGE = 65536;

let compiled: WebAssembly.Module | null | undefined;

function compile(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  try {
    const bytes = moduleBytes();
    compiled = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  } catch {
    compiled = null;
  }
  return compiled;
}

/** The instance whose memory is each live buffer (updated whenever a memory grows). */
const owners = new WeakMap<ArrayBufferLike, WasmDots>();

/** The kernel instance whose WebAssembly memory `buffer` is (its current buffer), or null. */
export function kernelOwning(buffer: ArrayBufferLike): WasmDots | null {
  return owners.get(buffer) ?? null;
}

/**
 * A fresh kernel instance with its own memory of at least `initialBytes` (default
 * 1 MiB), or null without WebAssembly SIMD (or TRANSFERKIT_NO_WASM=1). Throws a
 * RangeError when the memory cannot be that large (past 4 GiB, or out of memory).
 */
export function createWasmDots(initialBytes = 16 * PAGE): WasmDots | null {
  if (process.env.TRANSFERKIT_NO_WASM === '1') return null;
  const mod = compile();
  if (mod === null) return null;
  if (initialBytes > WASM_MAX_BYTES) throw new RangeError(`${initialBytes} bytes is more than WebAssembly memory can hold`);
  const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(initialBytes / PAGE)) });
  const inst = new WebAssembly.Instance(mod, { env: { memory } });
  const ex = inst.exports as Record<string, KernelFn>;
  const dots: WasmDots = {
    memory,
    tile: { 1: ex.tile1!, 2: ex.tile2!, 4: ex.tile4! },
    dot1: ex.dot1!,
    rowsEnd: 0,
    reserve(bytes: number) {
      const have = memory.buffer.byteLength;
      if (bytes <= have) return;
      if (bytes > WASM_MAX_BYTES) throw new RangeError(`${bytes} bytes is more than WebAssembly memory can hold`);
      memory.grow(Math.ceil((bytes - have) / PAGE));
      owners.set(memory.buffer, dots);
    },
  };
  owners.set(memory.buffer, dots);
  return dots;
}
