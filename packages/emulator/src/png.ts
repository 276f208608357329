/**
 * A tiny PNG encoder for the seed's photos: a picture the inbox can really show (the seed used to write a
 * JPEG marker followed by noise, which browsers draw as a broken image). Truecolour, no filters, one
 * IDAT chunk; node:zlib does the deflate and the CRC.
 */
import { crc32, deflateSync } from 'node:zlib';

export type Rgb = readonly [number, number, number];

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

export function encodePng(width: number, height: number, pixel: (x: number, y: number) => Rgb): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bits per channel
  header[9] = 2; // truecolour
  const raw = Buffer.alloc(height * (1 + width * 3));
  let at = 0;
  for (let y = 0; y < height; y++) {
    raw[at++] = 0; // no filter on this row
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pixel(x, y);
      raw[at++] = r;
      raw[at++] = g;
      raw[at++] = b;
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * A buyer's "photo of the parcel": a cardboard box with tape on a table, its colours and size from `noise`
 * (values in [0, 1)), so every seeded photo differs and the same seed gives the same bytes.
 */
export function parcelPhoto(noise: readonly number[]): Buffer {
  const n = (i: number) => noise[i % noise.length] ?? 0.5;
  const width = 240;
  const height = 180;
  const wall: Rgb = [200 + Math.floor(n(0) * 40), 200 + Math.floor(n(1) * 40), 190 + Math.floor(n(2) * 50)];
  const table: Rgb = [120 + Math.floor(n(3) * 60), 80 + Math.floor(n(4) * 40), 50 + Math.floor(n(5) * 30)];
  const box: Rgb = [180 + Math.floor(n(6) * 40), 130 + Math.floor(n(7) * 40), 80 + Math.floor(n(8) * 30)];
  const boxW = 90 + Math.floor(n(9) * 60);
  const boxH = 60 + Math.floor(n(10) * 40);
  const left = Math.floor((width - boxW) / 2);
  const top = 130 - boxH;
  const dent = n(11) < 0.5; // a crushed corner, as in the buyer's complaint
  return encodePng(width, height, (x, y) => {
    const inBox = x >= left && x < left + boxW && y >= top && y < top + boxH;
    const crushed = dent && x > left + boxW - 25 && y < top + 25 && x - (left + boxW - 25) > y - top;
    if (inBox && !crushed) {
      if (Math.abs(x - (left + boxW / 2)) < 6) return [225, 205, 150]; // tape
      const shade = y < top + 8 ? 20 : 0;
      return [box[0] - shade, box[1] - shade, box[2] - shade];
    }
    if (y >= 130) return table;
    const light = Math.floor((y / 130) * 25);
    return [wall[0] - light, wall[1] - light, wall[2] - light];
  });
}
