/** Shortest decimal text that reads back as exactly the same float32. */
export function formatFloat32(v: number): string {
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
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
