import type { Command } from 'commander';
import { registerLifecycleCommand } from './lifecycle.js';

/** `tsstack stop [-t N] [SERVICE...]`: stop running containers, dependents first. */
export function registerStop(program: Command): void {
  registerLifecycleCommand(program, {
    name: 'stop',
    description: 'stop running containers without removing them',
  });
}
