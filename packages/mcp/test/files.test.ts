/** Which files send_file may read: the real filesystem, symlinks and all. */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  constants,
  mkdirSync,
  mkdtempSync,
  openSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FILE_MAX_BYTES } from '@ym-chats/sdk';
import { describe, expect, it } from 'vitest';
import { readAllowedFile } from '../src/files.js';

const root = realpathSync(mkdtempSync(join(tmpdir(), 'ym-mcp-files-')));
const allowed = join(root, 'allowed');
const outside = join(root, 'outside');
mkdirSync(join(allowed, 'sub'), { recursive: true });
mkdirSync(outside);
writeFileSync(join(allowed, 'sub', 'invoice.pdf'), '%PDF-1.4 test');
writeFileSync(join(outside, 'secret.txt'), 'private');
writeFileSync(join(allowed, 'empty.txt'), '');
writeFileSync(join(allowed, 'max.bin'), Buffer.alloc(FILE_MAX_BYTES, 7));
writeFileSync(join(allowed, 'over.bin'), Buffer.alloc(FILE_MAX_BYTES + 1, 7));
symlinkSync(join(outside, 'secret.txt'), join(allowed, 'file-link.txt'));
symlinkSync(outside, join(allowed, 'dir-link'));
symlinkSync(join(allowed, 'sub', 'invoice.pdf'), join(allowed, 'inside-link.pdf'));

describe('readAllowedFile', () => {
  it('reads a file inside the directory once, with its size and SHA-256', async () => {
    const file = await readAllowedFile(allowed, 'sub/invoice.pdf');
    expect(file).toMatchObject({ name: 'invoice.pdf', size: 13 });
    expect(Buffer.from(file.data).toString()).toBe('%PDF-1.4 test');
    expect(file.sha256).toBe(createHash('sha256').update('%PDF-1.4 test').digest('hex'));
    expect((await readAllowedFile(allowed, join(allowed, 'sub/./invoice.pdf'))).size).toBe(13);
  });

  it('follows a symlink that stays inside, and names the real file', async () => {
    expect((await readAllowedFile(allowed, 'inside-link.pdf')).name).toBe('invoice.pdf');
  });

  it.each([
    ['a .. path', '../outside/secret.txt'],
    ['a .. path that dips back in and out', 'sub/../../outside/secret.txt'],
    ['an absolute path outside', join(outside, 'secret.txt')],
    ['a symlinked file pointing outside', 'file-link.txt'],
    ['a file under a symlinked directory pointing outside', 'dir-link/secret.txt'],
    ['the directory itself', '.'],
  ])('refuses %s', async (_, path) => {
    await expect(readAllowedFile(allowed, path)).rejects.toThrow(
      /outside the directory files may be sent from/,
    );
  });

  it('accepts exactly 5 MB and refuses one byte more, empty files and directories', async () => {
    expect((await readAllowedFile(allowed, 'max.bin')).size).toBe(FILE_MAX_BYTES);
    await expect(readAllowedFile(allowed, 'over.bin')).rejects.toThrow(
      `(${FILE_MAX_BYTES + 1} bytes); the limit is 5 MB (${FILE_MAX_BYTES} bytes). Nothing was sent.`,
    );
    await expect(readAllowedFile(allowed, 'empty.txt')).rejects.toThrow(/empty \(0 bytes\)/);
    await expect(readAllowedFile(allowed, 'sub')).rejects.toThrow(/not a regular file/);
    await expect(readAllowedFile(allowed, 'missing.pdf')).rejects.toThrow(/No file "missing.pdf"/);
  });

  it('refuses a FIFO at once instead of waiting for a writer', async () => {
    const fifo = join(allowed, 'pipe.pdf');
    execFileSync('mkfifo', [fifo]);
    const timeout = new Promise<string>((resolve) => setTimeout(() => resolve('no answer within 1 s'), 1000));
    try {
      const answer = await Promise.race([
        readAllowedFile(allowed, 'pipe.pdf').then(
          () => 'read',
          (error: Error) => error.message,
        ),
        timeout,
      ]);
      expect(answer).toBe('"pipe.pdf" is not a regular file. Nothing was sent.');
    } finally {
      // An open blocked on the FIFO (the bug) would hold a libuv thread: a writer releases it.
      try {
        closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
      } catch {
        // No reader waiting: nothing to release.
      }
    }
  });
});
