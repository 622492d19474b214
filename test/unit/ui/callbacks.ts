import type { UiCallbacks } from '../../../src/ui/App.js';

/** UI callbacks that record each call as `name` or `name:service`, in order. */
export function recordingCallbacks(): UiCallbacks & { calls: string[] } {
  const calls: string[] = [];
  const rec = (name: string) => (service?: string) => calls.push(service ? `${name}:${service}` : name);
  return {
    calls,
    onRestart: rec('restart'),
    onStop: rec('stop'),
    onStart: rec('start'),
    onRebuild: rec('rebuild'),
    onDetach: rec('detach'),
    onQuit: rec('quit'),
    onKill: rec('kill'),
  };
}
