/** One test on real data: a SpamAssassin sample (fixture) with the bundled GloVe-derived vectors. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDataset, splitExamples, trainTextClassifier } from '../../../text/classify/index.js';
import { parseEmail, runTextDemo } from '../../../text/classify/index.js';

describe('SpamAssassin sample with glove-wink-100d', () => {
  it('trains a hybrid model well above chance; the tokeniser matches the lowercase vectors', async () => {
    const data = await readDataset(join(import.meta.dirname, '../../fixtures/text/spam-sample.jsonl'));
    expect(data.examples).toHaveLength(240);
    const { train, validation: test } = splitExamples(data.examples, { validation: 0.25, seed: 1 });
    const clf = await trainTextClassifier(train, { model: { kind: 'hybrid' }, vectors: 'glove-wink-100d' });
    expect(clf.tokenizer.options.lowercase).toBe(true);
    expect(clf.summary.oov!.tokenRate).toBeLessThan(0.2);
    expect(clf.summary.vectors!.keptWords).toBeGreaterThan(20000);
    expect(clf.summary.vectors!.keptWords).toBeLessThan(30000);
    const ev = await clf.evaluate(test);
    expect(ev.report.accuracy).toBeGreaterThan(0.85);
  });

  it('runTextDemo trains on a SpamAssassin sample and reports metrics', async () => {
    const r = await runTextDemo({ sample: 300, seed: 3 });
    expect(r.trainTexts + r.testTexts).toBe(300);
    expect(r.accuracy).toBeGreaterThan(0.85);
    expect(r.report.labels).toEqual(['ham', 'spam']);
    expect(r.examples.map((e) => e.label)).toEqual(['spam', 'ham']);
    expect(r.trainSeconds).toBeGreaterThan(0);
  });

  it('reads subjects and decodes transfer encodings of raw e-mails', () => {
    const raw = [
      'From someone  Mon Jun 24 17:04:38 2002',
      'Subject: =?utf-8?B?SGVsbG8gd29ybGQ=?=',
      'Content-Type: multipart/alternative; boundary="XX"',
      '',
      'preamble',
      '--XX',
      'Content-Type: text/plain',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'caf=E9 soft=',
      'break',
      '--XX',
      'Content-Type: image/png',
      'Content-Transfer-Encoding: base64',
      '',
      'iVBORw0KGgo=',
      '--XX',
      'Content-Type: text/html',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('<b>bold</b>').toString('base64'),
      '--XX--',
    ].join('\n');
    const { subject, body } = parseEmail(raw);
    expect(subject).toBe('Hello world');
    expect(body).toContain('café softbreak');
    expect(body).toContain('<b>bold</b>');
    expect(body).not.toContain('iVBOR');
  });
});
