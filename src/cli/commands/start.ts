import type { Command } from 'commander';
import { planStart } from '../../reconciler/lifecycle.js';
import { registerLifecycleCommand } from './lifecycle.js';

/** `tsstack start [SERVICE...]`: start existing containers, dependencies first. */
export function registerStart(program: Command): void {
  registerLifecycleCommand(program, {
    name: 'start',
    description: 'start existing containers',
    timeout: false,
    plan: planStart,
  });
}
