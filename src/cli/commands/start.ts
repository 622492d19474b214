import type { Command } from 'commander';
import { registerLifecycleCommand } from './lifecycle.js';

/** `tsstack start [SERVICE...]`: start existing containers, dependencies first. */
export function registerStart(program: Command): void {
  registerLifecycleCommand(program, {
    name: 'start',
    description: 'start existing containers',
  });
}
