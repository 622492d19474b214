import { describe, expect, it } from 'vitest';
import { printStack } from '../../../src/spec/print.js';
import { looksSecret, REDACTED, redactStack } from '../../../src/spec/redact.js';
import { loadStack } from '../../../src/spec/index.js';
import { tempProject } from './load-helpers.js';

describe('redacting secret-looking environment values', () => {
  it('knows the usual names', () => {
    for (const k of [
      'PASSWORD',
      'POSTGRES_PASSWORD',
      'db_passwd',
      'SECRET_KEY_BASE',
      'GITHUB_TOKEN',
      'API_KEY',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_ACCESS_KEY_ID',
      'MY_CREDENTIALS',
      'PRIVATE_KEY',
      'APIKEY',
      'AUTH_HEADER',
    ])
      expect(looksSecret(k), k).toBe(true);
    for (const k of ['PATH', 'HOME', 'PORT', 'KEYBOARD', 'MONKEY', 'NODE_ENV', 'PWD'])
      expect(looksSecret(k), k).toBe(false);
  });

  it('printed config hides the values, keeps the keys, and leaves the stack untouched', async () => {
    const { dir, cleanup } = tempProject({
      'compose.yaml': `services:\n  db:\n    image: x\n    environment:\n      POSTGRES_PASSWORD: hunter2-pw\n      API_TOKEN: tok-123\n      PORT: "5432"\n    build:\n      context: .\n      args:\n        NPM_TOKEN: npm-456\n`,
    });
    try {
      const { stack } = await loadStack({
        files: ['compose.yaml'],
        cwd: dir,
        envFiles: [],
        profiles: [],
        env: {},
      });
      const red = printStack(redactStack(stack), 'yaml');
      expect(red).not.toMatch(/hunter2-pw|tok-123|npm-456/);
      expect(red).toContain(`POSTGRES_PASSWORD: "${REDACTED}"`);
      expect(red).toContain('PORT: "5432"');
      const plain = printStack(stack, 'json');
      expect(plain).toContain('hunter2-pw');
      expect(plain).toContain('npm-456');
    } finally {
      cleanup();
    }
  });
});
