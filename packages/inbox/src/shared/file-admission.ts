/**
 * Which picked files may be attached: the one rule the reply box and the Templates dialog apply, with the
 * numbers the server checks again (routes/chats.ts takes 1 byte to FILE_MAX_BYTES, team/templates.ts adds
 * TEMPLATE_FILES_MAX). No Node imports: the page bundles it. Words are the caller's, from the reasons.
 */
import { FILE_MAX_BYTES } from './limits.js';

/** The platform's limit for one file, in the MB the page says it in. */
export const FILE_MAX_MB = FILE_MAX_BYTES / 1024 / 1024;

/** A picked file as the rule sees it (a browser `File`, or anything with a name and a size). */
export interface PickedFile {
  name: string;
  size: number;
}

/** A file refused for its size: none at all, or over FILE_MAX_BYTES. */
export interface SizeRefusal {
  reason: 'empty' | 'too_big';
  name: string;
}

/** A file refused because the place already holds as many as it may (`max`). */
export interface CountRefusal {
  reason: 'too_many';
  name: string;
  max: number;
}

export type FileRefusal = SizeRefusal | CountRefusal;

/** The files let in, in the order picked, and why each of the others was left out. */
export interface Admission<F, R> {
  admitted: F[];
  refused: R[];
}

/** How many files a place holds at most and how many it holds already. */
export interface FileRoom {
  max: number;
  present: number;
}

/** Any number of files, each 1 byte to FILE_MAX_BYTES (a reply's files go one by one). */
export function admitFiles<F extends PickedFile>(chosen: readonly F[]): Admission<F, SizeRefusal>;
/** The same, and no more than `room.max` in all (a template sends all its files at each insertion). */
export function admitFiles<F extends PickedFile>(
  chosen: readonly F[],
  room: FileRoom,
): Admission<F, FileRefusal>;
export function admitFiles<F extends PickedFile>(
  chosen: readonly F[],
  room?: FileRoom,
): Admission<F, FileRefusal> {
  const admitted: F[] = [];
  const refused: FileRefusal[] = [];
  for (const file of chosen) {
    if (file.size === 0) refused.push({ reason: 'empty', name: file.name });
    else if (file.size > FILE_MAX_BYTES) refused.push({ reason: 'too_big', name: file.name });
    else if (room && room.present + admitted.length >= room.max)
      refused.push({ reason: 'too_many', name: file.name, max: room.max });
    else admitted.push(file);
  }
  return { admitted, refused };
}
