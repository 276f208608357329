import { describe, expect, it } from 'vitest';
import { admitFiles, FILE_MAX_MB } from '../src/shared/file-admission.js';
import { FILE_MAX_BYTES } from '../src/shared/limits.js';
import { TEMPLATE_FILES_MAX } from '../src/team/templates.js';

const file = (name: string, size: number) => new File([new Uint8Array(size)], name);

describe('admitFiles: the one rule for picked files', () => {
  it('lets in any file of 1 byte to FILE_MAX_BYTES, in the order picked', () => {
    const picked = [file('a.txt', 1), file('b.pdf', FILE_MAX_BYTES), file('c.png', 1234)];
    const { admitted, refused } = admitFiles(picked);
    expect(admitted.map((f) => f.name)).toEqual(['a.txt', 'b.pdf', 'c.png']);
    expect(admitted[0]).toBe(picked[0]);
    expect(refused).toEqual([]);
  });

  it('leaves out an empty file and one a byte over the limit, saying which and why', () => {
    const { admitted, refused } = admitFiles([
      file('empty.txt', 0),
      file('ok.txt', 3),
      file('big.bin', FILE_MAX_BYTES + 1),
    ]);
    expect(admitted.map((f) => f.name)).toEqual(['ok.txt']);
    expect(refused).toEqual([
      { reason: 'empty', name: 'empty.txt' },
      { reason: 'too_big', name: 'big.bin' },
    ]);
  });

  it('with a room, counts the files already there and refuses the rest', () => {
    const picked = [file('1.txt', 1), file('2.txt', 1), file('3.txt', 1)];
    const { admitted, refused } = admitFiles(picked, {
      max: TEMPLATE_FILES_MAX,
      present: TEMPLATE_FILES_MAX - 2,
    });
    expect(admitted.map((f) => f.name)).toEqual(['1.txt', '2.txt']);
    expect(refused).toEqual([{ reason: 'too_many', name: '3.txt', max: TEMPLATE_FILES_MAX }]);
  });

  it('tells a file refused for its size, not for the count, when the place is full', () => {
    const { admitted, refused } = admitFiles([file('empty.txt', 0), file('x.txt', 1)], {
      max: 1,
      present: 1,
    });
    expect(admitted).toEqual([]);
    expect(refused.map((r) => r.reason)).toEqual(['empty', 'too_many']);
  });

  it('says the limit in whole MB, as the server does (5 MB)', () => {
    expect(FILE_MAX_MB).toBe(5);
  });
});
