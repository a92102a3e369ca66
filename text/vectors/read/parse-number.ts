/**
 * A float parser working on bytes, so loaders never build a string per number.
 * Exact for up to 15 significant digits and |exponent| ≤ 22 (one correctly
 * rounded multiply/divide); anything longer falls back to `Number()` on the token.
 */

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/** Position just after the last parsed number (module state avoids allocating a tuple). */
export let parsedEnd = 0;

const isDigit = (c: number) => c >= 48 && c <= 57;

/**
 * Parse a decimal number starting at `i` (before `end`). Returns NaN when the bytes
 * there are not a number; `parsedEnd` is then the position where parsing stopped.
 *
 * Fast path (small enough for V8 to inline into the readers' loops): `-?d*(.d*)?`
 * with at most 15 digits and no exponent — what vector files contain.
 */
export function parseNumberAt(b: Uint8Array, i: number, end: number): number {
  let j = i;
  const neg = b[j] === 45;
  if (neg) j++;
  const s = j;
  let mant = 0;
  let c = 0;
  while (j < end && (c = b[j]! - 48) >= 0 && c <= 9) {
    mant = mant * 10 + c;
    j++;
  }
  let digits = j - s;
  let frac = 0;
  if (j < end && b[j] === 46) {
    const f0 = ++j;
    while (j < end && (c = b[j]! - 48) >= 0 && c <= 9) {
      mant = mant * 10 + c;
      j++;
    }
    frac = j - f0;
    digits += frac;
  }
  if (digits > 0 && digits <= 15 && (j >= end || (b[j]! | 32) !== 101)) {
    parsedEnd = j;
    const v = mant / POW10[frac]!;
    return neg ? -v : v;
  }
  return parseGeneral(b, i, end);
}

/** Any decimal: sign, digits, fraction, exponent; long mantissas fall back to Number(). */
function parseGeneral(b: Uint8Array, i: number, end: number): number {
  const start = i;
  let neg = false;
  let c = b[i]!;
  if (c === 45) {
    neg = true;
    i++;
  } else if (c === 43) {
    i++;
  }
  let mant = 0;
  let sig = 0;
  let exp = 0;
  let digits = 0;
  while (i < end && isDigit((c = b[i]!))) {
    if (sig > 0 || c !== 48) {
      if (sig < 15) {
        mant = mant * 10 + (c - 48);
      } else {
        exp++;
      }
      sig++;
    }
    digits++;
    i++;
  }
  if (i < end && b[i] === 46) {
    i++;
    while (i < end && isDigit((c = b[i]!))) {
      if (sig > 0 || c !== 48) {
        if (sig < 15) {
          mant = mant * 10 + (c - 48);
          exp--;
        }
        sig++;
      } else {
        exp--;
      }
      digits++;
      i++;
    }
  }
  if (digits === 0) {
    parsedEnd = i;
    return NaN;
  }
  if (i < end && (b[i] === 101 || b[i] === 69)) {
    let j = i + 1;
    let eneg = false;
    if (j < end && (b[j] === 45 || b[j] === 43)) {
      eneg = b[j] === 45;
      j++;
    }
    let e = 0;
    const e0 = j;
    while (j < end && isDigit((c = b[j]!))) {
      e = e * 10 + (c - 48);
      j++;
    }
    if (j === e0) {
      parsedEnd = j;
      return NaN;
    }
    exp += eneg ? -e : e;
    i = j;
  }
  parsedEnd = i;
  if (sig > 15 || exp > 22 || exp < -22) {
    // Rare: too many digits or a large exponent — let the engine round it exactly.
    return Number(Buffer.from(b.buffer, b.byteOffset + start, i - start).toString('latin1'));
  }
  const v = exp >= 0 ? mant * POW10[exp]! : mant / POW10[-exp]!;
  return neg ? -v : v;
}
