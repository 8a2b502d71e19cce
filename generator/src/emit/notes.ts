/**
 * Doc paragraphs shared by the emitters.
 * @module
 */
import type { AppliedOverride } from '../model/types.js';

/** One paragraph per override that changed a spec item. */
export function overrideNotes(overrides: readonly AppliedOverride[]): string[] {
  return overrides.map((o) => `Override (specs/overrides): ${o.reason}.`);
}
