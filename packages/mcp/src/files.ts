/**
 * Reading a file the assistant asks to send. The path may be relative (to the allowed directory) or
 * absolute; either way symlinks and `..` are resolved first and the real location must lie inside the
 * allowed directory. The bytes are read once, here: what the person confirms (name, size, SHA-256) is
 * what is uploaded, even if the file changes on disk afterwards.
 */
import { constants } from 'node:fs';
import { lstat, open, realpath, stat } from 'node:fs/promises';
import { basename, isAbsolute, relative, resolve } from 'node:path';
import { FILE_MAX_BYTES } from '@ym-chats/sdk';
import { sha256 } from './drafts.js';
import { ToolError } from './errors.js';

export interface FileToSend {
  name: string;
  data: Uint8Array;
  size: number;
  sha256: string;
}

export function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

const MB = 1024 * 1024;

function code(error: unknown): string | undefined {
  return (error as { code?: string }).code;
}

/** `dir` must already be a real path (no symlinks). */
export async function readAllowedFile(dir: string, requested: string): Promise<FileToSend> {
  const shown = JSON.stringify(requested);
  let real: string;
  try {
    real = await realpath(resolve(dir, requested));
  } catch (error) {
    throw new ToolError(
      code(error) === 'ENOENT'
        ? `No file ${shown} in the directory files may be sent from (${dir}). Nothing was sent.`
        : `Cannot read ${shown} (${code(error) ?? 'error'}). Nothing was sent.`,
    );
  }
  if (!isInside(dir, real)) {
    throw new ToolError(
      `${shown} is outside the directory files may be sent from (${dir}). Nothing was sent; ask the person ` +
        'to copy the file there if it should be sent.',
    );
  }
  const notRegular = () => new ToolError(`${shown} is not a regular file. Nothing was sent.`);
  const changed = () => new ToolError(`${shown} changed while it was being read. Nothing was sent.`);
  // Opening a FIFO waits for a writer (forever, holding one of libuv's few threads), and a device file
  // may do anything on open: only a regular file is opened at all.
  const checked = await lstat(real).catch((error: unknown) => {
    throw new ToolError(`Cannot read ${shown} (${code(error) ?? 'error'}). Nothing was sent.`);
  });
  if (!checked.isFile()) throw notRegular();
  // O_NOFOLLOW: if the last component was swapped for a symlink since realpath, the open fails.
  // O_NONBLOCK: if it was swapped for a FIFO, the open returns at once and the fstat below refuses it.
  const flags = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
  const handle = await open(real, flags).catch((error: unknown) => {
    throw new ToolError(`Cannot open ${shown} (${code(error) ?? 'error'}). Nothing was sent.`);
  });
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw notRegular();
    if (info.dev !== checked.dev || info.ino !== checked.ino) throw changed();
    const tooBig = (size: number) =>
      new ToolError(
        `${shown} is ${(size / MB).toFixed(1)} MB (${size} bytes); the limit is 5 MB (${FILE_MAX_BYTES} bytes). ` +
          'Nothing was sent.',
      );
    if (info.size > FILE_MAX_BYTES) throw tooBig(info.size);
    if (info.size === 0)
      throw new ToolError(`${shown} is empty (0 bytes); the platform refuses empty files. Nothing was sent.`);
    // One byte more than the limit is read, so a file that grew since the stat is caught too.
    const buffer = Buffer.alloc(FILE_MAX_BYTES + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length === buffer.length) throw tooBig(length);
    }
    // The directory part could have been swapped between realpath and open: check we read what we checked.
    const again = await stat(real);
    if (again.dev !== info.dev || again.ino !== info.ino || (await realpath(real)) !== real) {
      throw changed();
    }
    const data = new Uint8Array(buffer.subarray(0, length));
    return { name: basename(real), data, size: length, sha256: sha256(data) };
  } finally {
    await handle.close();
  }
}
