/**
 * Shortest decimal text that reads back as exactly the same float32, the text
 * `v.toPrecision(p)` gives (trailing zeros trimmed) for the smallest p in 6..9 that
 * round-trips.
 *
 * Writing GloVe text calls this for every value (34 million for 341k × 100), so the
 * common case avoids strings: the p significant digits are found with one double
 * multiplication by an exact power of ten, and the round trip is checked with the
 * arithmetic `Number(text)` would do (a correctly rounded m / 10^n is the double
 * nearest the decimal m·10^-n). The digits go straight into a byte buffer. Values of
 * 10^5 and more, values whose scaled form lies too close to a rounding tie or a power
 * of ten for the double product to decide, and non-finite values take the string path
 * (`toPrecision`), which gives the same text.
 */

/** The most bytes one value takes: '-0.000000' + 9 digits. */
export const MAX_FLOAT32_CHARS = 18;

/** 10^0 … 10^22: every one exact as a double. */
const POW10 = Float64Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));

// The decomposition of the last value: |v| = digits · 10^(exp - count + 1), `count` digits
// (no trailing zeros), found at precision `precision`.
const DIGITS_AT = 0;
const COUNT_AT = 1;
const EXP_AT = 2;
const PRECISION_AT = 3;
const parts = new Int32Array(4);

/** Fill `parts` for finite, non-zero v; false when the string path must decide. */
function decompose(v: number): boolean {
  const a = v < 0 ? -v : v;
  const e0 = Math.floor(Math.log10(a));
  for (let p = 6; p <= 9; p++) {
    // Scale so the p significant digits are the integer part. Large values (n < 0), and
    // those whose first digit log10 misplaced, are rare: the string path takes them.
    const n = p - 1 - e0;
    if (n > 22 || n < 0) return false;
    const scaled = a * POW10[n]!;
    const lo = POW10[p - 1]!;
    if (scaled < lo + 1e-6 || scaled >= POW10[p]! - 1e-6) return false;
    const whole = Math.floor(scaled);
    const frac = scaled - whole;
    // The product is within ~1e-7 of a·10^n: too close to a tie to be sure it rounds as
    // toPrecision's exact arithmetic does.
    if (frac > 0.499999 && frac < 0.500001) return false;
    const m = frac < 0.5 ? whole : whole + 1;
    if (m >= POW10[p]!) return false;
    if (Math.fround(m / POW10[n]!) !== a) continue;
    let d = m;
    let c = p;
    while (c > 1 && d % 10 === 0) {
      d = (d / 10) | 0;
      c--;
    }
    parts[DIGITS_AT] = d;
    parts[COUNT_AT] = c;
    parts[EXP_AT] = e0;
    parts[PRECISION_AT] = p;
    return true;
  }
  return false;
}

/** The string path: what formatFloat32 has always returned. */
function formatSlow(v: number): string {
  for (let p = 6; p <= 9; p++) {
    const s = v.toPrecision(p);
    if (Math.fround(Number(s)) === v) return trimZeros(s);
  }
  return v.toPrecision(9);
}

function trimZeros(s: string): string {
  const e = s.indexOf('e');
  const mant = e === -1 ? s : s.slice(0, e);
  const exp = e === -1 ? '' : s.slice(e);
  if (mant.indexOf('.') === -1) return s;
  let end = mant.length;
  while (mant.charCodeAt(end - 1) === 48) end--;
  if (mant.charCodeAt(end - 1) === 46) end--;
  return mant.slice(0, end) + exp;
}

const DIGITS = new Uint8Array(10);

/**
 * Write the text of `v` (a float32 value) as ASCII into `buf` at `pos`; returns the
 * position after it. `buf` needs MAX_FLOAT32_CHARS bytes free (more only for the
 * non-finite values' names).
 */
export function writeFloat32(buf: Uint8Array, pos: number, v: number): number {
  if (v === 0) {
    if (Object.is(v, -0)) buf[pos++] = 45;
    buf[pos++] = 48;
    return pos;
  }
  if (!Number.isFinite(v) || !decompose(v)) {
    const s = formatSlow(v);
    for (let i = 0; i < s.length; i++) buf[pos++] = s.charCodeAt(i);
    return pos;
  }
  if (v < 0) buf[pos++] = 45; // '-'
  const count = parts[COUNT_AT]!;
  const exp = parts[EXP_AT]!;
  const precision = parts[PRECISION_AT]!;
  let t = parts[DIGITS_AT]!;
  for (let i = count - 1; i >= 0; i--) {
    const q = (t / 10) | 0;
    DIGITS[i] = 48 + t - q * 10;
    t = q;
  }
  if (exp < -6 || exp >= precision) {
    // toPrecision's exponential form: d[.ddd]e±x
    buf[pos++] = DIGITS[0]!;
    if (count > 1) {
      buf[pos++] = 46;
      for (let i = 1; i < count; i++) buf[pos++] = DIGITS[i]!;
    }
    buf[pos++] = 101; // 'e'
    buf[pos++] = exp < 0 ? 45 : 43;
    const x = Math.abs(exp);
    if (x >= 10) buf[pos++] = 48 + ((x / 10) | 0);
    buf[pos++] = 48 + (x % 10);
  } else if (exp >= 0) {
    const whole = exp + 1;
    for (let i = 0; i < whole; i++) buf[pos++] = i < count ? DIGITS[i]! : 48;
    if (count > whole) {
      buf[pos++] = 46;
      for (let i = whole; i < count; i++) buf[pos++] = DIGITS[i]!;
    }
  } else {
    buf[pos++] = 48;
    buf[pos++] = 46;
    for (let i = -1; i > exp; i--) buf[pos++] = 48;
    for (let i = 0; i < count; i++) buf[pos++] = DIGITS[i]!;
  }
  return pos;
}

const SCRATCH = new Uint8Array(64);

/** Shortest decimal text that reads back as exactly the same float32. */
export function formatFloat32(v: number): string {
  const end = writeFloat32(SCRATCH, 0, v);
  return String.fromCharCode.apply(null, SCRATCH.subarray(0, end) as unknown as number[]);
}

/** The reference implementation (toPrecision strings), for tests and comparison. */
export const formatFloat32Reference = (v: number): string => (v === 0 ? (Object.is(v, -0) ? '-0' : '0') : formatSlow(v));
