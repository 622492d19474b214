/**
 * The live UI (Ink and React), loaded on first use: a headless run never pays for it (~14 MB of RSS).
 *
 * The bundled CLI runs as one CommonJS script with a code cache (code-cache.ts); Ink's ES modules use
 * top-level await and can only be imported from an ES module. So the launcher (launch.ts) puts a loader
 * for the UI's own bundle at `UI_LOADER`; without one (tests, dist/) the module is imported directly.
 */
import type * as UiModule from '../ui/render.js';

export const UI_LOADER = Symbol.for('tsstack.loadUi');

export function loadUi(): Promise<typeof UiModule> {
  const provided = (globalThis as Record<symbol, unknown>)[UI_LOADER] as
    (() => Promise<typeof UiModule>) | undefined;
  return provided ? provided() : import('../ui/render.js');
}
