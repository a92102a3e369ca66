/**
 * A tiny WebAssembly SIMD kernel for dot products, assembled here byte by byte
 * (no toolchain needed at build or install time). Two entry points:
 *
 *  - `tileA(rows, nRows, dim, qT, out)` for A ∈ {1, 2, 4}: dot products of `nRows`
 *    consecutive rows with a tile of 4·A queries stored transposed
 *    (qT[d·4A + j]); out[r·4A + j] = row r · query j. Each row value is loaded
 *    once and multiplied into 4·A lanes.
 *  - `dot1(rows, nRows, dim, q, out)`: one query, four dimensions per step.
 *
 * Arithmetic is float32 (callers re-rank the best candidates in float64).
 * Returns null when this runtime has no WebAssembly SIMD; callers then use JS.
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

/** One query. Locals: r, d, rp, qp, dim4, acc (v128), s (f32). */
function dot1Body(): number[] {
  const R = 5;
  const D = 6;
  const RP = 7;
  const QP = 8;
  const DIM4 = 9;
  const ACC = 10;
  const S = 11;
  const code: number[] = [];
  code.push(...get(P_ROWS), ...set(RP));
  code.push(...get(P_DIM), ...i32c(-4), AND, ...set(DIM4));
  code.push(...BLOCK, ...LOOP);
  code.push(...get(R), ...get(P_NROWS), GE_U, ...brIf(1));
  code.push(...V_ZERO, ...set(ACC), ...get(P_Q), ...set(QP), ...i32c(0), ...set(D));
  // Four dimensions at a time.
  code.push(...BLOCK, ...LOOP);
  code.push(...get(D), ...get(DIM4), GE_U, ...brIf(1));
  code.push(...get(ACC), ...get(RP), ...V_LOAD(0), ...get(QP), ...V_LOAD(0), ...F4_MUL, ...F4_ADD, ...set(ACC));
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
  return body([[5, I32], [1, V128], [1, F32]], code);
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
  /** Grow memory to at least `bytes`; views of `memory.buffer` must be re-read afterwards. */
  reserve(bytes: number): void;
}

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

/** A fresh kernel instance with its own memory, or null without WebAssembly SIMD (or TRANSFERKIT_NO_WASM=1). */
export function createWasmDots(): WasmDots | null {
  if (process.env.TRANSFERKIT_NO_WASM === '1') return null;
  const mod = compile();
  if (mod === null) return null;
  const memory = new WebAssembly.Memory({ initial: 16 });
  const inst = new WebAssembly.Instance(mod, { env: { memory } });
  const ex = inst.exports as Record<string, KernelFn>;
  return {
    memory,
    tile: { 1: ex.tile1!, 2: ex.tile2!, 4: ex.tile4! },
    dot1: ex.dot1!,
    reserve(bytes: number) {
      const have = memory.buffer.byteLength;
      if (bytes > have) memory.grow(Math.ceil((bytes - have) / 65536));
    },
  };
}
