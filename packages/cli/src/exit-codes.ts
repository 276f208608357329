/**
 * Process exit codes. Scripts branch on these, so they are part of the CLI's public interface: never
 * renumber them.
 */
export const EXIT = {
  ok: 0,
  /** A bug in ym-chats itself. */
  internal: 1,
  /** Bad flags or arguments, invalid ids, empty message, missing or oversized file, bad config file. */
  usage: 2,
  /** The API answered with an error (400, 404, 5xx) or could not be reached (connection, timeout). */
  api: 3,
  /** No credential was given, or the API refused it (401, 403). */
  auth: 4,
  /** The hourly quota (or the parallel-request cap) is used up: HTTP 420. */
  quota: 5,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The table shown in `--help` and the README. */
export const EXIT_CODE_HELP = `Exit codes:
  0  success
  1  internal error (a bug in ym-chats; please report it)
  2  usage error: bad flags or ids, empty message, missing file or file over 5 MB, bad config
  3  API error: 400/404/5xx, connection failure or timeout (also a send that may have gone through)
  4  authentication: no credential given, or the API refused it (401/403)
  5  quota exhausted (HTTP 420): wait until the reset time shown in the message`;
