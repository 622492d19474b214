import type { Command } from 'commander';
import { planRestart } from '../../reconciler/lifecycle.js';
import { registerLifecycleCommand } from './lifecycle.js';

/** `tsstack restart [-t N] [SERVICE...]`: restart containers, dependencies first. */
export function registerRestart(program: Command): void {
  registerLifecycleCommand(program, {
    name: 'restart',
    description: 'restart containers',
    timeout: true,
    plan: planRestart,
  });
}
