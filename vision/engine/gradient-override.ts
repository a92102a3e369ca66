/**
 * Replacing one of tfjs's gradients for chosen backends only. The gradient registry is
 * global, so the replacement is registered once, checks the active backend on every call,
 * and defers to tfjs's own gradient everywhere else (and wherever `ours` declines).
 */
import * as tf from '@tensorflow/tfjs';
import type { GradConfig, NamedAttrMap } from '@tensorflow/tfjs';

export type GradFunc = GradConfig['gradFunc'];

export interface GradientOverride {
  /** Use the replacement on `backendName`. Idempotent; true when this call added it. */
  install(backendName: string): boolean;
  /** Put tfjs's own gradient back for every backend. */
  uninstall(): void;
  /** Backends the replacement is installed for. */
  backends(): string[];
}

/** `ours` gets tfjs's gradient as `fallback`, to return for calls it does not handle. */
export function gradientOverride(kernelName: string, ours: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: NamedAttrMap, fallback: GradFunc) => ReturnType<GradFunc>): GradientOverride {
  const installed = new Set<string>();
  let original: GradConfig | undefined;
  return {
    install(backendName) {
      if (installed.has(backendName)) return false;
      original ??= tf.getGradient(kernelName);
      if (!original) return false;
      installed.add(backendName);
      if (installed.size > 1) return true; // the registered wrapper reads the set
      const fallback = original.gradFunc;
      tf.registerGradient({
        kernelName,
        inputsToSave: original.inputsToSave,
        outputsToSave: original.outputsToSave,
        saveAllInputs: original.saveAllInputs,
        gradFunc: (dy, saved, attrs: NamedAttrMap) => (installed.has(tf.getBackend()) ? ours(dy, saved, attrs, fallback) : fallback(dy, saved, attrs)),
      });
      return true;
    },
    uninstall() {
      if (!original) return;
      tf.registerGradient(original);
      installed.clear();
    },
    backends: () => [...installed],
  };
}
