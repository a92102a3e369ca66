/**
 * `evaluate --top-k K` for a model with `labels` labels: K when it measures something, else
 * undefined with a warning. With K ≥ the number of labels every true label is in the top K, so
 * (as scikit-learn's top_k_accuracy_score warns) the 100% would measure nothing: the number is
 * left out rather than printed. `what` names the examples ('text', 'image').
 */
export function reportableTopK(topK: number | undefined, labels: number, what: string, note: (line: string) => void): number | undefined {
  if (topK === undefined || topK <= 1 || topK < labels) return topK;
  const range = labels > 3 ? ` (use --top-k 2 to ${labels - 1})` : labels === 3 ? ' (use --top-k 2)' : ' (with 2 labels, top-k accuracy says nothing beyond accuracy)';
  note(`warning: --top-k ${topK} is not below the model's ${labels} labels, so every ${what}'s label is in its top ${topK}: top-${topK} accuracy would be 100% by construction and is not reported${range}`);
  return undefined;
}
