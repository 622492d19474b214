import { vi } from 'vitest';

// Ink's chalk decides colour support when it loads; force it on before any import (this file runs in its own process).
vi.hoisted(() => {
  process.env.FORCE_COLOR = '1';
});

import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { ViewStore } from '../../../src/events/store.js';
import { App } from '../../../src/ui/App.js';

const noop = () => undefined;
const callbacks = {
  onRestart: noop,
  onStop: noop,
  onStart: noop,
  onRebuild: noop,
  onDetach: noop,
  onQuit: noop,
  onKill: noop,
};

function store(): ViewStore {
  const s = new ViewStore();
  s.dispatch({ kind: 'container.state', service: 'web', replica: 1, container: 'p-web-1', phase: 'running' });
  s.dispatch({ kind: 'log', service: 'web', replica: 1, stream: 'stdout', message: 'hello', time: 0 });
  s.flush();
  return s;
}

describe('App colour', () => {
  it('colours service names and states, and uses none when colour is off (NO_COLOR)', () => {
    const size = { columns: 100, rows: 20 };
    const coloured = render(<App store={store()} callbacks={callbacks} size={size} color />);
    const plain = render(<App store={store()} callbacks={callbacks} size={size} color={false} />);
    expect(coloured.lastFrame()).toContain('\u001b[3');
    expect(plain.lastFrame()).not.toContain('\u001b[3');
    expect(plain.lastFrame()).toContain('web-1 | hello');
    coloured.unmount();
    plain.unmount();
  });
});
