import { homedir } from 'node:os';
import path from 'node:path';

/**
 * tsstack's cache folder (parsed stack files, compiled code), or undefined when caching is off:
 * `TSSTACK_NO_CACHE=1` turns it off; the folder is `$TSSTACK_CACHE_DIR`, else `$XDG_CACHE_HOME/tsstack`,
 * else `~/.cache/tsstack`. Everything in it can be deleted at any time.
 */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.TSSTACK_NO_CACHE === '1' || env.TSSTACK_NO_CACHE === 'true') return undefined;
  if (env.TSSTACK_CACHE_DIR) return env.TSSTACK_CACHE_DIR;
  const base = env.XDG_CACHE_HOME || path.join(env.HOME || homedir(), '.cache');
  return path.join(base, 'tsstack');
}
