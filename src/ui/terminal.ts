/**
 * Whether the live UI can be drawn: both ends a terminal, and not a CI run. Ink (through `is-in-ci`)
 * draws only the last frame when CI or CONTINUOUS_INTEGRATION is set to anything but "0"/"false", so a
 * live UI there would show a blank screen until it exits; those sessions get plain log lines instead.
 * Kept apart from render.tsx so the check does not load Ink.
 */
export interface Terminal {
  isTTY?: boolean;
}

/** The reason the live UI cannot be drawn, or undefined when it can. */
export function liveUiUnavailable(
  stdin: Terminal,
  stdout: Terminal,
  env: Record<string, string | undefined>,
): string | undefined {
  if (stdout.isTTY !== true) return 'standard output is not a terminal';
  if (stdin.isTTY !== true) return 'standard input is not a terminal';
  const ci = ciVariable(env);
  if (ci !== undefined) return `${ci} is set, and the live UI draws only its last frame in CI`;
  return undefined;
}

/** The CI variable that is set (the same rule as Ink's `is-in-ci`), if any. */
export function ciVariable(env: Record<string, string | undefined>): string | undefined {
  for (const key of ['CI', 'CONTINUOUS_INTEGRATION']) {
    const value = env[key];
    if (value !== undefined && value !== '0' && value !== 'false') return `${key}=${value}`;
  }
  return undefined;
}

export interface LiveUiChoice {
  ui: boolean;
  /** Set when both ends are terminals but the live UI is still off (CI): say so, or the user wonders. */
  notice?: string;
}

/** Whether a session draws the live UI (`headless` forces it off), and what to tell the user if not. */
export function chooseLiveUi(
  headless: boolean | undefined,
  io: { stdin: Terminal; stdout: Terminal; env: Record<string, string | undefined> } = process,
): LiveUiChoice {
  if (headless === true) return { ui: false };
  const reason = liveUiUnavailable(io.stdin, io.stdout, io.env);
  if (reason === undefined) return { ui: true };
  if (io.stdin.isTTY !== true || io.stdout.isTTY !== true) return { ui: false };
  return {
    ui: false,
    notice: `tsstack: no live UI: ${reason}; printing log lines instead (unset it for the UI)\n`,
  };
}
