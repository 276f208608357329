/**
 * WAL checkpoints for a SQLite store, on a thread of their own. By default SQLite checkpoints inside the
 * commit that pushes the WAL past 1 000 pages: that commit copies the pages into the database file and
 * waits for two fsyncs, and in a cold pass (a commit every millisecond or two) that was about half of all
 * commit time, spent on the thread that also reads and parses the API's answers. Here the store's own
 * connection never checkpoints (`wal_autocheckpoint = 0`) and a second connection on a worker thread runs
 * a PASSIVE checkpoint a few times a second: it copies what is committed without blocking the writer,
 * and durability is what it was (WAL, synchronous=NORMAL).
 *
 * The thread's code is a few lines of plain JavaScript evaluated as the worker's script, so it needs no
 * build step or TypeScript loader, from the sources and from the bundle alike; the driver is resolved here
 * and passed by path.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/** How often the thread checkpoints (a checkpoint with nothing new to copy costs next to nothing). */
export const CHECKPOINT_INTERVAL_MS = 250;

const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
db.pragma('synchronous = NORMAL');
const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // The next turn tries again; the store's connection takes over if this thread ends.
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

export class SqliteCheckpointer {
  private closing: Promise<void> | undefined;

  private constructor(private readonly worker: Worker) {}

  /**
   * Starts the thread for the store's connection `db` (a file in WAL mode) and stops that connection's
   * own checkpoints; should the thread end, the connection checkpoints again as before.
   */
  static start(db: Database.Database, file: string): SqliteCheckpointer {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(THREAD, {
      eval: true,
      workerData: { driver, file, intervalMs: CHECKPOINT_INTERVAL_MS },
    });
    // Housekeeping: never what keeps a process alive.
    worker.unref();
    const checkpointer = new SqliteCheckpointer(worker);
    db.pragma('wal_autocheckpoint = 0');
    const restore = () => {
      if (db.open) db.pragma('wal_autocheckpoint = 1000');
    };
    worker.once('error', restore);
    worker.once('exit', restore);
    return checkpointer;
  }

  /** Ends the thread after a last checkpoint (before the store's connection closes, so that one is last). */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.worker.once('exit', () => resolve());
      // Held until it has ended, or the process could exit with this close unsettled.
      this.worker.ref();
      this.worker.postMessage('close');
    });
    return this.closing;
  }
}
