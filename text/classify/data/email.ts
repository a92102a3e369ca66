/**
 * A small e-mail reader for corpora of raw RFC 822 messages: the Subject header
 * and the text of the body, with transfer encodings (base64, quoted-printable)
 * undone and, for multipart messages, the text/* parts joined (attachments skipped).
 * HTML is kept as is: it is part of the body a classifier sees.
 */

interface Part {
  headers: Map<string, string>;
  body: string;
}

function splitHeaders(raw: string): Part {
  const m = /\r?\n\r?\n/.exec(raw);
  const head = m ? raw.slice(0, m.index) : raw;
  const body = m ? raw.slice(m.index + m[0].length) : '';
  const headers = new Map<string, string>();
  // Unfold continuation lines, then read "Name: value".
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const name = line.slice(0, i).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(i + 1).trim());
  }
  return { headers, body };
}

function decodeQuotedPrintable(s: string): string {
  const bytes: number[] = [];
  const text = s.replace(/=\r?\n/g, '');
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 61 /* = */ && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (ch < 256) bytes.push(ch);
    else bytes.push(...Buffer.from(text[i], 'utf8'));
  }
  return Buffer.from(bytes).toString('latin1');
}

function decodeBody(part: Part): string {
  const enc = (part.headers.get('content-transfer-encoding') ?? '').toLowerCase();
  if (enc.includes('base64')) {
    const cleaned = part.body.replace(/[^A-Za-z0-9+/=]/g, '');
    return Buffer.from(cleaned, 'base64').toString('latin1');
  }
  if (enc.includes('quoted-printable')) return decodeQuotedPrintable(part.body);
  return part.body;
}

/** Decode an RFC 2047 encoded-word header ("=?utf-8?B?…?="). */
function decodeHeader(value: string): string {
  return value.replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_, _charset: string, kind: string, data: string) => {
    if (kind.toUpperCase() === 'B') return Buffer.from(data, 'base64').toString('latin1');
    return decodeQuotedPrintable(data.replace(/_/g, ' '));
  });
}

function partText(part: Part, depth: number): string {
  const type = (part.headers.get('content-type') ?? 'text/plain').toLowerCase();
  if (type.startsWith('multipart/') && depth < 5) {
    const b = /boundary\s*=\s*"?([^";]+)"?/i.exec(part.headers.get('content-type') ?? '');
    if (b) {
      const sep = `--${b[1]}`;
      const pieces = part.body.split(sep).slice(1);
      return pieces
        .filter((p) => !p.startsWith('--'))
        .map((p) => partText(splitHeaders(p.replace(/^\r?\n/, '')), depth + 1))
        .filter((t) => t.trim() !== '')
        .join('\n');
    }
  }
  if (!type.startsWith('text/') && !type.startsWith('message/')) return '';
  const disposition = (part.headers.get('content-disposition') ?? '').toLowerCase();
  if (disposition.startsWith('attachment')) return '';
  return decodeBody(part);
}

/** Subject and body text of a raw message. */
export function parseEmail(raw: string): { subject: string; body: string } {
  const top = splitHeaders(raw.replace(/^From [^\n]*\n/, ''));
  return { subject: decodeHeader(top.headers.get('subject') ?? ''), body: partText(top, 0) };
}
