/** The live UI: a header, the service table, the log pane and the footer, driven by the store. */
import { Box, Text, useInput, useStdout, type Key } from 'ink';
import { useEffect, useMemo, useRef, useState } from 'react';
import { logWindow, type LogBuffer, type LogEntry } from '../events/log-buffer.js';
import type { ViewStore } from '../events/store.js';
import { serviceRow } from '../events/summary.js';
import type { ViewState } from '../events/view-model.js';
import { Footer } from './Footer.js';
import { Help } from './Help.js';
import { LogPane } from './LogPane.js';
import { PlainView } from './PlainView.js';
import { ServiceTable, tableLineCount } from './ServiceTable.js';
import { makeTheme } from './theme.js';

/** What the keys ask for; the UI never calls the runtime itself. */
export interface UiCallbacks {
  onRestart(service: string): void;
  onStop(service: string): void;
  onStart(service: string): void;
  onRebuild(service: string): void;
  /** Leave the stack running and exit. */
  onDetach(): void;
  /** Stop the stack gracefully and exit. */
  onQuit(): void;
  /** The second Ctrl-C: kill now. */
  onKill(): void;
  /** `t`: apply the watch changes waiting for a manual trigger (watch mode only). */
  onTrigger?(service: string): void;
}

export interface AppProps {
  store: ViewStore;
  callbacks: UiCallbacks;
  /** `top` is `tsstack ui` on a running stack, `swarm` watches a swarm stack: `q` and Ctrl-C only detach. */
  mode?: UiMode;
  color?: boolean;
  now?: () => number;
  /** Terminal size override (tests); else the stdout's, following resizes. */
  size?: { columns: number; rows: number };
}

/**
 * up: the local stack is stopped on quit; top and swarm only detach. swarm: r is a forced service update,
 * s scales to 0 and back, b (no local build for a swarm) only warns.
 */
export type UiMode = 'up' | 'top' | 'swarm';

/** The warning `b` shows in swarm mode. */
export const SWARM_NO_REBUILD =
  'b: a swarm service has no local build (build and push its image, then up --target swarm)';

/** Below this the table and log pane do not fit: plain lines instead. */
export const MIN_COLUMNS = 50;
export const MIN_ROWS = 10;

function useStoreState(store: ViewStore): ViewState {
  const [state, setState] = useState(store.getState());
  useEffect(() => {
    setState(store.getState());
    return store.subscribe(setState);
  }, [store]);
  return state;
}

function useTerminalSize(override?: { columns: number; rows: number }) {
  const { stdout } = useStdout();
  const read = () => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
  const [size, setSize] = useState(read);
  useEffect(() => {
    if (override) return;
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout, override === undefined]);
  return override ?? size;
}

/** A clock that ticks once a second, but only while something on screen depends on it. */
function useClock(now: () => number, ticking: boolean): number {
  const [t, setT] = useState(now);
  useEffect(() => {
    if (!ticking) return;
    setT(now());
    const timer = setInterval(() => setT(now()), 1000);
    return () => clearInterval(timer);
  }, [ticking, now]);
  return ticking ? t : now();
}

const ALIVE = new Set(['running', 'starting', 'restarting', 'created']);

export function App({ store, callbacks, mode = 'up', color = true, now = Date.now, size }: AppProps) {
  const state = useStoreState(store);
  const { columns, rows: termRows } = useTerminalSize(size);
  const ticking = Object.values(state.services).some((s) =>
    s.replicas.some((r) => r.phase === 'running' || r.phase === 'restarting'),
  );
  const clock = useClock(now, ticking);
  const [selected, setSelected] = useState(0);
  const [target, setTarget] = useState<string | undefined>(undefined);
  const [filter, setFilter] = useState('');
  const [editingFilter, setEditingFilterState] = useState(false);
  const [paused, setPaused] = useState(false);
  const [frozen, setFrozen] = useState<LogBuffer | undefined>(undefined);
  const [offset, setOffset] = useState(0);
  const [help, setHelp] = useState(false);
  const [quitting, setQuitting] = useState(false);
  // Keys can arrive faster than renders (a paste, Ctrl-C twice): what the next key depends on lives in refs too.
  const selRef = useRef(0);
  const quittingRef = useRef(false);
  const editingRef = useRef(false);
  const setEditingFilter = (v: boolean) => {
    editingRef.current = v;
    setEditingFilterState(v);
  };

  const rows = useMemo(
    () => state.order.flatMap((n) => (state.services[n] ? [serviceRow(state.services[n], clock)] : [])),
    [state, clock],
  );
  const sel = Math.min(selected, Math.max(0, rows.length - 1));
  const select = (i: number) => {
    selRef.current = Math.min(Math.max(0, i), Math.max(0, rows.length - 1));
    setSelected(selRef.current);
  };
  const quit = () => {
    quittingRef.current = true;
    setQuitting(true);
  };
  const theme = useMemo(() => makeTheme(color, state.order), [color, state.order]);
  const small = columns < MIN_COLUMNS || termRows < MIN_ROWS;

  const notice = state.notices.at(-1);
  const showNotice = notice && notice.level !== 'info' && clock - notice.time < 15_000;
  const footerLines = showNotice ? 2 : 1;
  const bodyLines = tableLineCount(rows);
  const tableRows = Math.min(Math.max(1, bodyLines), Math.max(1, Math.floor((termRows - 6) / 2)));
  const tableLines = 1 + tableRows + (bodyLines > tableRows ? 1 : 0);
  // One line short of the terminal: a full-height frame makes Ink clear the screen each time (flicker).
  const logHeight = Math.max(1, termRows - 1 - 1 - tableLines - 1 - footerLines);

  const live = target ? state.serviceLogs[target] : state.logs;
  const buffer = frozen ?? live;
  const needle = filter.toLowerCase();
  const match = needle ? (e: LogEntry) => e.message.toLowerCase().includes(needle) : undefined;
  const lines = buffer ? logWindow(buffer, small ? termRows : logHeight, offset, match) : [];
  const prefixWidth = Math.max(0, ...lines.map((e) => `${e.service}-${e.replica}`.length));

  const freeze = () => setFrozen((f) => f ?? live);
  const follow = () => {
    setOffset(0);
    if (!paused) setFrozen(undefined);
  };

  // Ink may call a handler from an earlier render; read the latest one through a ref.
  const onKey = useRef<(input: string, key: Key) => void>(() => undefined);
  useInput((input, key) => {
    // Keys typed quickly (or pasted) can arrive as one string: take them one at a time.
    if (input.length > 1 && !key.ctrl && !key.meta && !key.escape) {
      for (const ch of input) {
        const enter = ch === '\r' || ch === '\n';
        onKey.current(enter ? '' : ch, { ...key, return: enter });
      }
      return;
    }
    onKey.current(input, key);
  });
  onKey.current = (input, key) => {
    if (key.ctrl && input === 'c') {
      if (mode !== 'up') return callbacks.onDetach();
      if (quittingRef.current) return callbacks.onKill();
      quit();
      return callbacks.onQuit();
    }
    if (editingRef.current) {
      if (key.return) setEditingFilter(false);
      else if (key.escape) {
        setFilter('');
        setEditingFilter(false);
      } else if (key.backspace || key.delete) setFilter((f) => f.slice(0, -1));
      else if (input && !key.ctrl && !key.meta) setFilter((f) => f + input);
      return;
    }
    const selectedName = rows[Math.min(selRef.current, rows.length - 1)]?.name;
    if (key.upArrow || input === 'k') select(selRef.current - 1);
    else if (key.downArrow || input === 'j') select(selRef.current + 1);
    else if (key.return) {
      setTarget((t) => (t === selectedName ? undefined : selectedName));
      follow();
    } else if (key.escape || input === 'a') {
      if (help) setHelp(false);
      else {
        setTarget(undefined);
        follow();
      }
    } else if (key.pageUp) {
      freeze();
      setOffset((o) => o + Math.max(1, logHeight - 1));
    } else if (key.pageDown) {
      const next = Math.max(0, offset - Math.max(1, logHeight - 1));
      if (next === 0) follow();
      else setOffset(next);
    } else if (key.end || input === 'G') follow();
    else if (input === '/') setEditingFilter(true);
    else if (input === 'p') {
      if (paused) {
        setPaused(false);
        setOffset(0);
        setFrozen(undefined);
      } else {
        setPaused(true);
        freeze();
      }
    } else if (input === '?') setHelp((h) => !h);
    else if (input === 'd') callbacks.onDetach();
    else if (input === 'q') {
      if (mode !== 'up') callbacks.onDetach();
      else if (!quittingRef.current) {
        quit();
        callbacks.onQuit();
      }
    } else if (selectedName !== undefined) {
      const svc = state.services[selectedName];
      if (input === 'r') callbacks.onRestart(selectedName);
      else if (input === 't' && callbacks.onTrigger && mode !== 'swarm') callbacks.onTrigger(selectedName);
      else if (input === 'b') {
        if (mode === 'swarm')
          store.dispatch({ kind: 'warning', service: selectedName, message: SWARM_NO_REBUILD });
        else callbacks.onRebuild(selectedName);
      } else if (input === 's') {
        // A swarm service is stopped while it wants tasks (even if none runs yet), started when it wants none
        // (its last tasks may still be shutting down).
        const alive =
          mode === 'swarm' && svc?.desired !== undefined
            ? svc.desired > 0
            : (svc?.replicas.some((r) => ALIVE.has(r.phase)) ?? false);
        if (alive) callbacks.onStop(selectedName);
        else callbacks.onStart(selectedName);
      }
    }
  };

  if (small) {
    return (
      <PlainView
        rows={rows}
        selected={sel}
        lines={lines}
        width={columns}
        height={termRows - 1}
        mode={mode}
        quitting={quitting}
      />
    );
  }

  const engine = state.engine.connected
    ? ''
    : ` · engine unreachable (${state.engine.error ?? 'no answer'}), retrying`;
  const status = [paused ? 'paused' : '', offset > 0 ? `${offset} lines up` : '', filter ? `/${filter}` : '']
    .filter(Boolean)
    .join(' · ');
  return (
    <Box flexDirection="column" width={columns}>
      <Text wrap="truncate">
        <Text bold color={theme.accent}>
          tsstack
        </Text>
        {state.project ? ` ${state.project}` : ''}
        <Text dimColor>{mode === 'top' ? ' (attached)' : mode === 'swarm' ? ' (swarm)' : ''}</Text>
        {state.pendingOperations > 0 ? <Text color={theme.tone('progress')}> · working…</Text> : null}
        <Text color={theme.tone('bad')}>{engine}</Text>
      </Text>
      <ServiceTable rows={rows} selected={sel} width={columns} height={tableRows} theme={theme} />
      {help ? (
        <Help theme={theme} mode={mode} height={logHeight + 1} trigger={callbacks.onTrigger !== undefined} />
      ) : (
        <LogPane
          lines={lines}
          target={target}
          height={logHeight}
          width={columns}
          theme={theme}
          prefixWidth={prefixWidth}
          status={status}
        />
      )}
      <Footer
        mode={mode}
        theme={theme}
        filter={filter}
        editingFilter={editingFilter}
        paused={paused}
        scrolled={offset > 0}
        quitting={quitting}
        notice={showNotice ? notice : undefined}
      />
    </Box>
  );
}
