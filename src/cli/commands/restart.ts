import type { Command } from 'commander';
import { registerLifecycleCommand } from './lifecycle.js';

/** `tsstack restart [-t N] [SERVICE...]`: restart containers, dependencies first. */
export function registerRestart(program: Command): void {
  registerLifecycleCommand(program, {
    name: 'restart',
    description: 'restart containers',
  });
}
