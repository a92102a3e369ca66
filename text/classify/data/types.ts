/** Labelled texts as read from a file, before any encoding. */

export interface TextExample {
  text: string;
  label: string;
}

export type DatasetFormat = 'csv' | 'tsv' | 'jsonl' | 'fasttext';

export interface TextDataset {
  examples: TextExample[];
  /** The file read (absent for in-memory datasets). */
  file?: string;
  format?: DatasetFormat;
  /** Records whose text was empty or only whitespace: skipped, with their 1-based line numbers (first 20). */
  skippedEmpty: { count: number; lines: number[] };
  /** Human-readable warnings (skipped records, multi-label lines, …). */
  warnings: string[];
}

export interface ReadDatasetOptions {
  /** Default: from the file extension (.csv, .tsv/.tab, .jsonl/.ndjson, .txt/.ft), else sniffed from the first line. */
  format?: DatasetFormat | 'auto';
  /** CSV/TSV header column (or JSONL field) holding the text. Default 'text'. */
  textColumn?: string;
  /** CSV/TSV header column (or JSONL field) holding the label. Default 'label'. */
  labelColumn?: string;
  /** Prefix of fastText labels. Default '__label__'. */
  labelPrefix?: string;
  /** Called once per warning (e.g. to print it). Warnings are also kept in `dataset.warnings`. */
  onWarning?: (message: string) => void;
}

/** Count of texts per label, most frequent first. */
export function labelCounts(examples: readonly TextExample[]): Array<{ label: string; count: number }> {
  const counts = new Map<string, number>();
  for (const e of examples) counts.set(e.label, (counts.get(e.label) ?? 0) + 1);
  return [...counts].map(([label, count]) => ({ label, count })).sort((a, b) => b.count - a.count || (a.label < b.label ? -1 : 1));
}
