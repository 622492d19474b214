/** Base of every error a user can act on: the CLI prints `message` (no stack trace) and exits with `exitCode`. */
export class TsstackError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The engine (or a step on it) failed: exit 1, naming what failed, for which service, in the engine's own words. */
export class EngineError extends TsstackError {
  constructor(
    message: string,
    readonly statusCode?: number,
  ) {
    super(message, 1);
  }
}

/** A usage error on the command line (unknown service, bad flag value): exit 2. */
export class UsageError extends TsstackError {
  constructor(message: string) {
    super(message, 2);
  }
}
